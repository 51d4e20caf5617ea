{{/* Shared names, labels and derived values of the detectd chart. */}}

{{- define "detectd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "detectd.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "detectd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "detectd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "detectd.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "detectd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "detectd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "detectd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Rule files (and the lookup-table data files they name) as JSON {relative path: content}: the chart's rules/
     (rules.fromFiles), then rules.inline,
     which replaces a bundled file of the same path. */}}
{{- define "detectd.ruleFiles" -}}
{{- $out := dict -}}
{{- if .Values.rules.fromFiles -}}
{{- range $path, $_ := .Files.Glob "rules/**.{yml,yaml,csv,json,jsonl,ndjson}" -}}
{{- $_ := set $out (trimPrefix "rules/" $path) (include "detectd.stripTests" (dict "path" $path "text" ($.Files.Get $path) "strip" $.Values.rules.stripTests)) -}}
{{- end -}}
{{- end -}}
{{- range $path, $content := .Values.rules.inline -}}
{{- $_ := set $out $path (include "detectd.stripTests" (dict "path" $path "text" $content "strip" $.Values.rules.stripTests)) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* A rule file without its top-level `Tests:` block (they ran in CI; deployed, they only take ConfigMap space):
     from a line `Tests:` at column 0 through the indented, list, comment and blank lines under it. Other files
     and rules.stripTests=false: unchanged. */}}
{{- define "detectd.stripTests" -}}
{{- if and .strip (regexMatch "\\.ya?ml$" .path) -}}
{{- regexReplaceAll "(?m)^Tests:.*(\n([ \t#-].*)?)*" .text "" -}}
{{- else -}}
{{- .text -}}
{{- end -}}
{{- end -}}

{{/* Fails the render when a ConfigMap's data would pass the API server's 1 MiB object limit. */}}
{{- define "detectd.checkConfigMapSize" -}}
{{- $size := 0 -}}
{{- range $path, $content := .files -}}
{{- $size = add $size (len $content) (len $path) -}}
{{- end -}}
{{- if gt $size 1000000 -}}
{{- fail (printf "the %s ConfigMap would hold %d bytes, over the Kubernetes API server's 1 MiB object limit: keep large rule sets in ConfigMaps of your own (rules.existingConfigMaps) and set rules.fromFiles=false, or trim rules.inline" .name $size) -}}
{{- end -}}
{{- end -}}

{{/* Names of rule ConfigMaps made outside the chart: rules.existingConfigMap and rules.existingConfigMaps. */}}
{{- define "detectd.existingRuleConfigMaps" -}}
{{- $names := list -}}
{{- with .Values.rules.existingConfigMap -}}{{- $names = append $names . -}}{{- end -}}
{{- range .Values.rules.existingConfigMaps -}}{{- $names = append $names . -}}{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* The container image: [registry/]repository, then @digest when set, else :tag (default appVersion). */}}
{{- define "detectd.image" -}}
{{- $i := .Values.image -}}
{{- with $i.registry }}{{ . }}/{{ end }}{{ $i.repository }}
{{- if $i.digest }}@{{ $i.digest }}{{ else }}:{{ $i.tag | default .Chart.AppVersion }}{{ end -}}
{{- end -}}

{{/* ConfigMap keys cannot hold "/", so a file's key is its relative path with "/" replaced by "__". The ConfigMap
     is mounted whole (no per-file `items`), so its files appear flat under those keys: adding or removing a file
     changes the ConfigMap only, never the Deployment, and no pod restarts (detectd reloads the directory). */}}
{{- define "detectd.configMapKey" -}}
{{- replace "/" "__" . -}}
{{- end -}}

{{/* A file as deployed in the flat directory. A lookup table's `Filename:` names its data file relative to the
     YAML's directory; for a YAML in a subdirectory it is rewritten to the data file's flat key, so
     lookups/tor_exit_nodes.yml (Filename: tor_exit_nodes.csv) becomes lookups__tor_exit_nodes.yml
     (Filename: lookups__tor_exit_nodes.csv). Other files: unchanged. Input: dict path, text. */}}
{{- define "detectd.flatFile" -}}
{{- $text := .text -}}
{{- $dir := dir .path -}}
{{- if and (ne $dir ".") (regexMatch "\\.ya?ml$" .path) (regexMatch "(?m)^AnalysisType:[ \t]*[\"']?lookup_table" $text) -}}
{{- $line := regexFind "(?m)^Filename:[^\n]*" $text -}}
{{- if $line -}}
{{- $name := regexReplaceAll "^Filename:[ \t]*[\"']?([^\"'#]*?)[\"']?[ \t]*(#.*)?$" $line "${1}" -}}
{{- $flat := include "detectd.configMapKey" (clean (printf "%s/%s" $dir $name)) -}}
{{- $text = replace $line (printf "Filename: %s" $flat) $text -}}
{{- end -}}
{{- end -}}
{{- $text -}}
{{- end -}}

{{/* ConfigMap data from a {path: content} dict, keyed by the flat keys; fails when two paths map to one key. */}}
{{- define "detectd.configMapData" -}}
{{- $data := dict -}}
{{- range $path, $content := . -}}
{{- $key := include "detectd.configMapKey" $path -}}
{{- if hasKey $data $key -}}
{{- fail (printf "two files map to the ConfigMap key %q; rename %q" $key $path) -}}
{{- end -}}
{{- $_ := set $data $key (include "detectd.flatFile" (dict "path" $path "text" $content)) -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{/* Kubernetes gRPC probes speak plaintext and present no client certificate, so with TLS they target the
     plaintext health-only port (--health_listen). */}}
{{- define "detectd.probePort" -}}
{{- if .Values.tls.enabled -}}{{ .Values.server.healthPort }}{{- else -}}{{ .Values.server.grpcPort }}{{- end -}}
{{- end -}}

{{- define "detectd.terminationGracePeriodSeconds" -}}
{{- $grace := int .Values.server.shutdownGraceSeconds -}}
{{- $tgps := .Values.terminationGracePeriodSeconds | default (add $grace 10) | int -}}
{{- if le $tgps $grace -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed server.shutdownGraceSeconds (%d), or the kubelet kills detectd while it drains" $tgps $grace) -}}
{{- end -}}
{{- $tgps -}}
{{- end -}}

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
     (rules.fromFiles), then rules.inline, which replaces a bundled file of the same path. Empty unless
     rules.source is configMap. */}}
{{- define "detectd.ruleFiles" -}}
{{- $out := dict -}}
{{- if eq .Values.rules.source "configMap" -}}
{{- if .Values.rules.fromFiles -}}
{{- range $path, $_ := .Files.Glob "rules/**.{yml,yaml,csv,json,jsonl,ndjson}" -}}
{{- $_ := set $out (trimPrefix "rules/" $path) (include "detectd.stripTests" (dict "path" $path "text" ($.Files.Get $path) "strip" $.Values.rules.stripTests)) -}}
{{- end -}}
{{- end -}}
{{- range $path, $content := .Values.rules.inline -}}
{{- $_ := set $out $path (include "detectd.stripTests" (dict "path" $path "text" $content "strip" $.Values.rules.stripTests)) -}}
{{- end -}}
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
{{- if and $names (ne .Values.rules.source "configMap") -}}
{{- fail (printf "rules.existingConfigMap(s) need rules.source=configMap, not %q: one source of rules at a time" .Values.rules.source) -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* The --rules directory: the mounted ConfigMap(s); for git the checkout's link (git-sync swaps it atomically)
     and rules.git.path below it; for an image volume rules.image.path inside it; a copied image: the copy. Also
     fails on an incomplete source. */}}
{{- define "detectd.rulesPath" -}}
{{- $r := .Values.rules -}}
{{- if eq $r.source "git" -}}
{{- if not $r.git.repo -}}{{- fail "rules.source=git needs rules.git.repo (https://... or git@host:org/repo.git)" -}}{{- end -}}
{{- if and $r.git.credentialsSecret $r.git.sshSecret -}}{{- fail "rules.git: set credentialsSecret (https) or sshSecret (ssh), not both" -}}{{- end -}}
{{- $r.mountPath }}/current{{ with $r.git.path }}/{{ . }}{{ end -}}
{{- else if eq $r.source "image" -}}
{{- if not $r.image.reference -}}{{- fail "rules.source=image needs rules.image.reference (an image holding the rule files)" -}}{{- end -}}
{{- if eq $r.image.mode "volume" -}}
{{- $r.mountPath }}{{ trimSuffix "/" $r.image.path -}}
{{- else -}}
{{- $r.mountPath -}}
{{- end -}}
{{- else -}}
{{- $r.mountPath -}}
{{- end -}}
{{- end -}}

{{/* A container's locked-down security context; uid: the user it runs as. */}}
{{- define "detectd.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: 65532
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* git-sync's arguments (rules.source=git); oneTime: the init container's single clone. */}}
{{- define "detectd.gitSyncArgs" -}}
{{- $g := .root.Values.rules.git -}}
- --repo={{ $g.repo }}
- --ref={{ $g.ref }}
- --root=/git
- --link=current
- --depth={{ int $g.depth }}
{{- if .oneTime }}
- --one-time
{{- else }}
- --period={{ $g.period }}
- --max-failures=-1
{{- end }}
{{- if $g.credentialsSecret }}
- --password-file=/etc/git-secret/password
{{- end }}
{{- if $g.sshSecret }}
- --ssh-key-file=/etc/git-secret/ssh
- --ssh-known-hosts-file=/etc/git-secret/known_hosts
{{- end }}
{{- end -}}

{{/* A git-sync container (rules.source=git); name and oneTime as for detectd.gitSyncArgs. */}}
{{- define "detectd.gitSyncContainer" -}}
{{- $g := .root.Values.rules.git -}}
- name: {{ .name }}
  image: {{ $g.image | quote }}
  imagePullPolicy: {{ $g.pullPolicy }}
  args:
    {{- include "detectd.gitSyncArgs" . | nindent 4 }}
  env:
    # git writes its config and temporary files under HOME; the root filesystem is read-only.
    - name: HOME
      value: /tmp
    {{- if $g.credentialsSecret }}
    - name: GITSYNC_USERNAME
      valueFrom:
        secretKeyRef:
          name: {{ $g.credentialsSecret }}
          key: username
    {{- end }}
  {{- with $g.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- /* The image's own user (git-sync, 65533): ssh needs a passwd entry for the uid. */}}
    {{- include "detectd.containerSecurityContext" (dict "uid" 65533) | nindent 4 }}
  volumeMounts:
    - name: rules
      mountPath: /git
    - name: git-tmp
      mountPath: /tmp
    {{- if or $g.credentialsSecret $g.sshSecret }}
    - name: git-secret
      mountPath: /etc/git-secret
      readOnly: true
    {{- end }}
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

{{/* detectd's alerting flags (docs/alerts.md). Secret values reach the flags through environment variables
     (detectd.alertEnv) that Kubernetes expands in args as $(NAME): they are never in the pod spec. */}}
{{- define "detectd.alertArgs" -}}
{{- $a := .Values.alerts -}}
- --alerts={{ $a.enabled }}
{{- if $a.enabled }}
{{- if eq $a.store "redis" }}
{{- $r := $a.redis }}
{{- if $r.existingSecret }}
- --alert_store=$(DETECTD_ALERT_STORE)
{{- else if not $r.url }}
{{- fail "alerts.store=redis needs alerts.redis.url (redis://HOST:PORT) or alerts.redis.existingSecret (a Secret holding the URL)" }}
{{- else if $r.passwordSecret }}
{{- if not (hasPrefix "redis://" $r.url) }}{{ fail "alerts.redis.passwordSecret needs a redis:// alerts.redis.url" }}{{ end }}
- --alert_store=redis://:$(DETECTD_REDIS_PASSWORD)@{{ trimPrefix "redis://" $r.url }}
{{- else }}
- --alert_store={{ $r.url }}
{{- end }}
{{- with $r.prefix }}
- --alert_redis_prefix={{ . }}
{{- end }}
{{- if not (kindIs "invalid" $r.partitions) }}
- --alert_redis_partitions={{ int64 $r.partitions }}
{{- end }}
{{- else if or $a.redis.url $a.redis.existingSecret $a.redis.passwordSecret }}
{{- fail "alerts.redis is set but alerts.store is memory: set alerts.store=redis" }}
{{- end }}
{{- $w := $a.webhooks }}
{{- range $w.urls }}
- --alert_webhook={{ . }}
{{- end }}
{{- if $w.existingSecret }}
- --alert_webhook=$(DETECTD_ALERT_WEBHOOKS)
{{- end }}
{{- if or $w.urls $w.existingSecret }}
- --alert_webhook_format={{ $w.format }}
{{- if $w.hmacSecret }}
- --alert_webhook_secret_file=/etc/detectd/alert-webhook/{{ $w.hmacSecretKey }}
{{- end }}
{{- if not (kindIs "invalid" $w.attempts) }}
- --alert_webhook_attempts={{ int64 $w.attempts }}
{{- end }}
{{- if not (kindIs "invalid" $w.timeoutSeconds) }}
- --alert_webhook_timeout_seconds={{ $w.timeoutSeconds }}
{{- end }}
{{- else if $w.hmacSecret }}
{{- fail "alerts.webhooks.hmacSecret signs webhook requests: set alerts.webhooks.urls or alerts.webhooks.existingSecret" }}
{{- end }}
{{- with $a.file }}
- --alert_file={{ . }}
{{- end }}
- --alert_clock={{ $a.clock }}
{{- if not (kindIs "invalid" $a.updateIntervalSeconds) }}
- --alert_update_interval_seconds={{ $a.updateIntervalSeconds }}
{{- end }}
{{- range $flag, $value := dict "alert_max_windows" $a.maxWindows "alert_max_queue" $a.maxQueue }}
{{- if not (kindIs "invalid" $value) }}
- --{{ $flag }}={{ int64 $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Environment variables holding Secret values for detectd.alertArgs; empty when none. */}}
{{- define "detectd.alertEnv" -}}
{{- $a := .Values.alerts -}}
{{- if $a.enabled -}}
{{- if and (eq $a.store "redis") $a.redis.existingSecret }}
- name: DETECTD_ALERT_STORE
  valueFrom:
    secretKeyRef:
      name: {{ $a.redis.existingSecret }}
      key: {{ $a.redis.existingSecretKey }}
{{- else if and (eq $a.store "redis") $a.redis.passwordSecret }}
- name: DETECTD_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $a.redis.passwordSecret }}
      key: {{ $a.redis.passwordSecretKey }}
{{- end }}
{{- if $a.webhooks.existingSecret }}
- name: DETECTD_ALERT_WEBHOOKS
  valueFrom:
    secretKeyRef:
      name: {{ $a.webhooks.existingSecret }}
      key: {{ $a.webhooks.existingSecretKey }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* How the ingest port serves TLS, after checking the ingest values: "native" (tls.enabled: detectd's ingest
     listener serves HTTPS itself with the gRPC certificate), "proxy" (ingest.tls.enabled without tls.enabled: a
     ghostunnel sidecar terminates TLS with ingest.tls.secretName and forwards to detectd on loopback), or ""
     (plain HTTP). The chart never opens an unauthenticated ingest port: a bearer token Secret or client
     certificates are required. */}}
{{- define "detectd.ingestTLSMode" -}}
{{- $i := .Values.ingest -}}
{{- if $i.enabled -}}
{{- $mode := "" -}}
{{- if .Values.tls.enabled -}}
{{- $mode = "native" -}}
{{- if and $i.tls.secretName (ne $i.tls.secretName .Values.tls.secretName) -}}
{{- fail "with tls.enabled detectd's ingest port serves the gRPC certificate (tls.secretName): leave ingest.tls.secretName empty, or turn tls.enabled off to terminate ingest TLS with its own certificate in the proxy" -}}
{{- end -}}
{{- else if $i.tls.enabled -}}
{{- $mode = "proxy" -}}
{{- if not $i.tls.secretName -}}
{{- fail "ingest.tls.enabled without tls.enabled needs ingest.tls.secretName (the ingest certificate; with tls.enabled detectd serves the gRPC one itself)" -}}
{{- end -}}
{{- if eq (int $i.tls.backendPort) (int $i.port) -}}
{{- fail "ingest.tls.backendPort must differ from ingest.port (the TLS proxy listens on ingest.port)" -}}
{{- end -}}
{{- end -}}
{{- if and $i.tls.clientAuth (not $mode) -}}
{{- fail "ingest.tls.clientAuth needs TLS on the ingest port: tls.enabled (detectd serves it) or ingest.tls.enabled (a proxy does)" -}}
{{- end -}}
{{- if and $i.tls.clientAuth (not (or $i.tls.clientCASecret (eq $mode "proxy") .Values.tls.clientAuth)) -}}
{{- fail "ingest.tls.clientAuth needs ingest.tls.clientCASecret (a Secret with ca.crt), or tls.clientAuth to reuse the gRPC client CA" -}}
{{- end -}}
{{- if not (or $i.tokenSecret $i.tls.clientAuth) -}}
{{- fail "ingest.enabled needs authentication: ingest.tokenSecret (a Secret holding the bearer token), or TLS with ingest.tls.clientAuth (client certificates); the chart never opens an unauthenticated ingest port" -}}
{{- end -}}
{{- $mode -}}
{{- end -}}
{{- end -}}

{{/* detectd's ingest flags; mode: detectd.ingestTLSMode. */}}
{{- define "detectd.ingestArgs" -}}
{{- $i := .root.Values.ingest -}}
{{- if $i.enabled }}
{{- if eq .mode "proxy" }}
{{- /* Only the TLS proxy in the same pod reaches the plain HTTP listener. */}}
- --ingest_listen=127.0.0.1:{{ $i.tls.backendPort }}
{{- else }}
- --ingest_listen=0.0.0.0:{{ $i.port }}
{{- end }}
{{- if and (eq .mode "native") $i.tls.clientAuth }}
- --ingest_client_ca=/etc/detectd/ingest/client-ca/ca.crt
{{- end }}
{{- if $i.tokenSecret }}
- --ingest_token_file=/etc/detectd/ingest/token/{{ $i.tokenSecretKey }}
{{- end }}
{{- if $i.firehoseAccessKeySecret }}
- --firehose_access_key_file=/etc/detectd/ingest/firehose/{{ $i.firehoseAccessKeySecretKey }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The ghostunnel container terminating TLS (and mTLS) for the ingest port (ingest.tls.enabled). */}}
{{- define "detectd.ingestTLSProxy" -}}
{{- $i := .Values.ingest -}}
- name: ingest-tls
  image: {{ $i.tls.image | quote }}
  imagePullPolicy: {{ $i.tls.pullPolicy }}
  args:
    - server
    - --listen=0.0.0.0:{{ $i.port }}
    - --target=127.0.0.1:{{ $i.tls.backendPort }}
    - --cert=/etc/ingest-tls/tls.crt
    - --key=/etc/ingest-tls/tls.key
    - --timed-reload={{ $i.tls.reloadInterval }}
    {{- if $i.tls.clientAuth }}
    - --cacert=/etc/ingest-tls-ca/ca.crt
    - --allow-all
    {{- else }}
    - --disable-authentication
    {{- end }}
  ports:
    - name: ingest
      containerPort: {{ $i.port }}
      protocol: TCP
  {{- with $i.tls.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "detectd.containerSecurityContext" (dict "uid" 65532) | nindent 4 }}
  volumeMounts:
    - name: ingest-tls
      mountPath: /etc/ingest-tls
      readOnly: true
    {{- if $i.tls.clientAuth }}
    - name: ingest-tls-ca
      mountPath: /etc/ingest-tls-ca
      readOnly: true
    {{- end }}
{{- end -}}

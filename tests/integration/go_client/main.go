// Command go_client checks the detect.v1 contract from Go: grpc-go and protobuf-go (Debian 12's
// golang-google-grpc-dev and golang-google-protobuf-dev) against a running detectd. Built and run by
// tests/integration/go_client_test.py, which generates the detect.v1 package with protoc-gen-go and
// protoc-gen-go-grpc first. It evaluates the seed events raw and typed (unary), then streams batches, checks a
// broken event is a per-event error, lists rules and expects NOT_FOUND for an unknown rule. Exits 1 with the
// reason on the first failed check.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	detectv1 "detectd.dev/gen/go/detect/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
)

const seedRule = "Amazon.EKS.AnonymousAPIAccess"

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go_client: "+format+"\n", args...)
	os.Exit(1)
}

func readEvents(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	var events []string
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		if line := scanner.Text(); line != "" {
			events = append(events, line)
		}
	}
	if err := scanner.Err(); err != nil {
		fail("reading %s: %v", path, err)
	}
	return events
}

// request builds an EvaluateRequest of the events, as raw JSON bytes or as typed AuditEvent messages.
func request(events []string, raw bool, prefix string) *detectv1.EvaluateRequest {
	req := &detectv1.EvaluateRequest{}
	for i, text := range events {
		event := &detectv1.Event{Id: fmt.Sprintf("%s%d", prefix, i+1)}
		if raw {
			event.Payload = &detectv1.Event_Json{Json: []byte(text)}
		} else {
			audit := &detectv1.AuditEvent{}
			if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal([]byte(text), audit); err != nil {
				fail("event %d as AuditEvent: %v", i+1, err)
			}
			event.Payload = &detectv1.Event_AuditEvent{AuditEvent: audit}
		}
		req.Events = append(req.Events, event)
	}
	return req
}

func seedMatch(r *detectv1.EventResult) *detectv1.Match {
	for _, m := range r.GetMatches() {
		if m.GetRuleId() == seedRule {
			return m
		}
	}
	return nil
}

// checkSeed asserts what the four seed events match (the same facts python_client_test.py checks).
func checkSeed(resp *detectv1.EvaluateResponse, prefix string) {
	if len(resp.GetResults()) != 4 {
		fail("%s: %d results, want 4: %v", prefix, len(resp.GetResults()), resp)
	}
	for i, r := range resp.GetResults() {
		if want := fmt.Sprintf("%s%d", prefix, i+1); r.GetEventId() != want {
			fail("%s: result %d has event id %q, want %q", prefix, i, r.GetEventId(), want)
		}
		if r.GetError() != nil {
			fail("%s: event %d: %v", prefix, i+1, r.GetError())
		}
	}
	first := seedMatch(resp.Results[0])
	if first == nil {
		fail("%s: event 1 does not match %s: %v", prefix, seedRule, resp.Results[0])
	}
	const title = "Anonymous API access detected on Kubernetes API server from [8.8.8.8] to " +
		"[/api/v1/namespaces/default/pods/test-pod] on [example-cluster-eks-logs]"
	if first.GetSeverity() != detectv1.Severity_SEVERITY_LOW || first.GetTitle() != title ||
		first.GetDedup() != "anonymous_access_example-cluster-eks-logs_kubectl/v1.25.4" {
		fail("%s: event 1 match: %v", prefix, first)
	}
	summary := map[string]string{}
	for _, a := range first.GetSummaryAttributes() {
		summary[a.GetName()] = a.GetValue().GetStringValue()
	}
	if summary["user:username"] != "system:anonymous" {
		fail("%s: summary attributes %v", prefix, first.GetSummaryAttributes())
	}
	if seedMatch(resp.Results[1]) != nil {
		fail("%s: event 2 must not match %s", prefix, seedRule)
	}
	third, fourth := seedMatch(resp.Results[2]), seedMatch(resp.Results[3])
	if third == nil || third.GetSeverity() != detectv1.Severity_SEVERITY_INFO ||
		third.GetTitle() != "Anonymous EKS Access to /version Endpoint Detected" {
		fail("%s: event 3 match: %v", prefix, third)
	}
	if fourth == nil || fourth.GetTitle() != "Failed Anonymous EKS Access Attempt(s) Detected" ||
		fourth.GetDedup() != "no dedup" {
		fail("%s: event 4 match: %v", prefix, fourth)
	}
}

func summarize(resp *detectv1.EvaluateResponse) [][]string {
	var out [][]string
	for _, r := range resp.GetResults() {
		var row []string
		for _, m := range r.GetMatches() {
			row = append(row, fmt.Sprintf("%s|%v|%s|%s", m.GetRuleId(), m.GetSeverity(), m.GetTitle(), m.GetDedup()))
		}
		out = append(out, row)
	}
	return out
}

func main() {
	addr := flag.String("addr", "", "detectd HOST:PORT")
	eventsPath := flag.String("events", "", "seed events, NDJSON")
	flag.Parse()
	events := readEvents(*eventsPath)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *addr, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		fail("dial %s: %v", *addr, err)
	}
	defer conn.Close()
	client := detectv1.NewDetectionServiceClient(conn)

	raw, err := client.Evaluate(ctx, request(events, true, "r"))
	if err != nil {
		fail("Evaluate (raw): %v", err)
	}
	typed, err := client.Evaluate(ctx, request(events, false, "t"))
	if err != nil {
		fail("Evaluate (typed): %v", err)
	}
	checkSeed(raw, "r")
	checkSeed(typed, "t")
	if !reflect.DeepEqual(summarize(raw), summarize(typed)) {
		fail("typed and raw events decided differently:\n%v\n%v", summarize(raw), summarize(typed))
	}

	stream, err := client.StreamEvaluate(ctx)
	if err != nil {
		fail("StreamEvaluate: %v", err)
	}
	const batches = 10
	for i := 0; i < batches; i++ {
		if err := stream.Send(request(events, i%2 == 0, fmt.Sprintf("s%d-", i))); err != nil {
			fail("StreamEvaluate send %d: %v", i, err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		fail("StreamEvaluate CloseSend: %v", err)
	}
	for i := 0; ; i++ {
		resp, err := stream.Recv()
		if err == io.EOF {
			if i != batches {
				fail("StreamEvaluate: %d responses, want %d", i, batches)
			}
			break
		}
		if err != nil {
			fail("StreamEvaluate recv %d: %v", i, err)
		}
		checkSeed(resp, fmt.Sprintf("s%d-", i))
	}

	bad := &detectv1.EvaluateRequest{Events: []*detectv1.Event{
		{Id: "ok", Payload: &detectv1.Event_Json{Json: []byte(events[0])}},
		{Id: "broken", Payload: &detectv1.Event_Json{Json: []byte(`{"verb": broken`)}},
	}}
	resp, err := client.Evaluate(ctx, bad)
	if err != nil {
		fail("Evaluate with a broken event must not fail the call: %v", err)
	}
	if resp.Results[0].GetError() != nil || seedMatch(resp.Results[0]) == nil {
		fail("the good event of a batch with a broken one: %v", resp.Results[0])
	}
	if codes.Code(resp.Results[1].GetError().GetCode()) != codes.InvalidArgument {
		fail("the broken event: %v, want INVALID_ARGUMENT", resp.Results[1])
	}

	rules, err := client.ListRules(ctx, &detectv1.ListRulesRequest{})
	if err != nil {
		fail("ListRules: %v", err)
	}
	found := false
	for _, r := range rules.GetRules() {
		found = found || r.GetRuleId() == seedRule
	}
	if !found || rules.GetRuleSetVersion() != raw.GetRuleSetVersion() {
		fail("ListRules: %s missing or version %q != %q", seedRule, rules.GetRuleSetVersion(), raw.GetRuleSetVersion())
	}
	_, err = client.GetRule(ctx, &detectv1.GetRuleRequest{RuleId: "No.Such.Rule"})
	if status.Code(err) != codes.NotFound {
		fail("GetRule of an unknown rule: %v, want NOT_FOUND", err)
	}
	fmt.Printf("go_client: PASS (%d rules, version %s)\n", len(rules.GetRules()), rules.GetRuleSetVersion())
}

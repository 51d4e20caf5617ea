// `detectctl explain --rules PATH RULE_ID FILE|-`: the rule's condition tree evaluated on each event of FILE
// (engine/analysis/explain.h), as text or JSON.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "client/commands.h"
#include "client/event_reader.h"
#include "client/flags.h"
#include "client/rule_loading.h"
#include "engine/analysis/explain.h"
#include "engine/json_event.h"

namespace detect::client {

int RunExplain(const Args& args) {
  if (args.size() != 2) {
    std::fprintf(stderr, "usage: detectctl explain --rules PATH [--format text|json] RULE_ID FILE|-\n");
    return 2;
  }
  auto rules = LoadRulesFromFlags("explain");
  if (rules == nullptr) return 1;
  const int index = FindRuleOrSuggest(*rules, args[0], "explain");
  if (index < 0) return 1;
  absl::StatusOr<std::unique_ptr<EventBatch>> batch = ReadAllEvents(args[1]);
  if (!batch.ok()) {
    std::fprintf(stderr, "detectctl explain: %s\n", std::string(batch.status().message()).c_str());
    return 1;
  }
  if ((*batch)->events.empty()) {
    std::fprintf(stderr, "detectctl explain: no events in %s\n", args[1].c_str());
    return 1;
  }
  const bool json = absl::GetFlag(FLAGS_format) == "json";
  const bool several = (*batch)->events.size() > 1;
  JsonEventParser parser(rules->options());
  int rc = 0;
  for (size_t i = 0; i < (*batch)->events.size(); ++i) {
    absl::StatusOr<Value> event = rules->ParseJson((*batch)->events[i], parser, /*padded=*/true);
    if (!event.ok()) {
      std::fprintf(stderr, "line %zu: %s\n", i + 1, std::string(event.status().message()).c_str());
      rc = 1;
      continue;
    }
    const Explanation x = ExplainRule(*rules, index, *event, absl::GetFlag(FLAGS_log_type));
    if (json) {  // NDJSON: one explanation per event.
      std::fputs(FormatExplanationJson(x).c_str(), stdout);
    } else {
      if (several) std::printf("%sevent %zu\n", i > 0 ? "\n" : "", i + 1);
      std::fputs(FormatExplanationText(x).c_str(), stdout);
    }
  }
  return rc;
}

}  // namespace detect::client

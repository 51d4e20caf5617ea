// libFuzzer target: the On-Demand projected read of a JSON event (engine/json/projected_event.h) against the
// DOM read it must equal (the oracle). The same bytes are read both ways for the bundled pack (rules/) and for
// a rule set with every condition kind (fuzz_support.h: nested keys, list comprehensions, regexes, CIDRs),
// unpadded and padded (followed by padding bytes that are not whitespace), and evaluated with an empty log
// type (p_log_type selection) and with GCP.AuditLog (the GKE view reads nested members). Accepting or
// rejecting the event, the error message, the match set and every rendered field (title, dedup, severity,
// alert context, summary, distinct value) must be identical.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

struct State {
  std::shared_ptr<const detect::RuleSet> pack = detect::fuzz::LoadPack();
  std::shared_ptr<const detect::RuleSet> conditions = detect::fuzz::LoadConditionRules();
  detect::JsonEventParser ondemand{OnDemandOptions()};
  detect::JsonEventParser dom{detect::fuzz::FuzzOptions()};
  detect::EvalScratch scratch;
  detect::EvalResult a, b;
  std::string padded;

  static detect::EngineOptions OnDemandOptions() {
    detect::EngineOptions options = detect::fuzz::FuzzOptions();
    options.json_read = detect::EngineOptions::JsonRead::kOnDemand;
    return options;
  }
};

State& GetState() {
  static State* const state = new State();
  return *state;
}

std::string Describe(const detect::EvalResult& r) {
  std::string d;
  for (const detect::Match& m : r.matches) {
    d += detect::fuzz::MatchDigest(m) + "\x1f" + m.distinct_value + "\n";
  }
  return d;
}

void Compare(const detect::RuleSet& rules, absl::string_view json, bool padded, State& s) {
  using namespace detect;
  for (absl::string_view log_type : {absl::string_view(), absl::string_view("GCP.AuditLog")}) {
    absl::StatusOr<Value> od = rules.ParseJson(json, s.ondemand, padded);
    absl::StatusOr<Value> dom = rules.ParseJson(json, s.dom, padded);
    if (od.ok() != dom.ok() || od.status() != dom.status()) {
      fuzz::Die("On-Demand and DOM disagree on the event: " + od.status().ToString() + " vs " +
                dom.status().ToString());
    }
    if (!od.ok()) return;
    s.a.Clear();
    s.b.Clear();
    rules.Evaluate(*od, log_type, s.scratch, s.a);
    rules.Evaluate(*dom, log_type, s.scratch, s.b);
    const std::string da = Describe(s.a), db = Describe(s.b);
    if (da != db) fuzz::Die("On-Demand and DOM results differ:\n--- On-Demand\n" + da + "--- DOM\n" + db);
    for (const Match& m : s.a.matches) fuzz::CheckMatch(rules, m);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  GetState();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State& s = GetState();
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  Compare(*s.pack, json, /*padded=*/false, s);
  Compare(*s.conditions, json, /*padded=*/false, s);
  // Padded in place: what follows the event is not whitespace (as when events are views of one NDJSON file).
  s.padded.assign(json.data(), json.size());
  s.padded.append(simdjson::SIMDJSON_PADDING, '"');
  Compare(*s.pack, absl::string_view(s.padded.data(), size), /*padded=*/true, s);
  return 0;
}

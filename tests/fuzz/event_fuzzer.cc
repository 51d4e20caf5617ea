// libFuzzer target: bytes -> one JSON event -> the bundled pack (rules/) and a rule set with every condition
// kind (fuzz_support.h), each evaluated through the rule index and rule by rule, every match's alert fields
// rendered and checked. Rule sets are built once, in LLVMFuzzerInitialize; a bad event must be a clean error.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

struct State {
  std::shared_ptr<const detect::RuleSet> pack = detect::fuzz::LoadPack();
  std::shared_ptr<const detect::RuleSet> conditions = detect::fuzz::LoadConditionRules();
  detect::JsonEventParser parser{detect::fuzz::FuzzOptions()};
  detect::EvalScratch scratch;
  detect::EvalResult result;
};

State& GetState() {
  static State* const state = new State();
  return *state;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  GetState();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detect;
  State& s = GetState();
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  // EvaluateJson, as the server's raw-JSON path calls it.
  s.result.Clear();
  const absl::Status status = s.pack->EvaluateJson(json, "", s.parser, s.scratch, s.result);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kInvalidArgument || status.message().empty()) {
      fuzz::Die("a bad event must be InvalidArgument with a message, got: " + status.ToString());
    }
    return 0;
  }
  for (const Match& m : s.result.matches) fuzz::CheckMatch(*s.pack, m);
  // Parsed once more (Value views die with the next parse) and evaluated both ways against both sets.
  absl::StatusOr<Value> event = s.parser.Parse(json);
  if (!event.ok()) fuzz::Die("an event parsed once, then failed: " + event.status().ToString());
  // simdjson validated the input: every string the event holds is UTF-8, so everything rendered must be.
  const size_t n = fuzz::EvaluateBothWays(*s.pack, *event, s.scratch, /*utf8_in=*/true);
  if (n != s.result.matches.size()) fuzz::Die("EvaluateJson and Evaluate disagree");
  fuzz::EvaluateBothWays(*s.conditions, *event, s.scratch, /*utf8_in=*/true);
  return 0;
}

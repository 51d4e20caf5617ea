// libFuzzer target: bytes -> a serialized detect.v1.AuditEvent, read the ways the server and clients read one:
//  - the wire view (proto/audit_event_wire.h), the server's path: ValidateAuditEventWire, then AuditEventWire;
//    and AuditEventWireValue over bytes that were not validated, which must never crash either;
//  - protobuf's parser, then the message view (tests/testing/audit_event_view.h).
// Each is evaluated against the bundled pack and the every-condition rule set (index and rule by rule, every
// match rendered and checked). Differential checks: the validator accepts exactly what protobuf's parser
// accepts, and the wire view of the re-serialized message matches the same rules as the message view.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "detect/v1/detect.pb.h"
#include "engine/rule_set.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/unknown_field_set.h"
#include "tests/testing/audit_event_view.h"
#include "proto/audit_event_wire.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

struct State {
  std::shared_ptr<const detect::RuleSet> pack = detect::fuzz::LoadPack();
  std::shared_ptr<const detect::RuleSet> conditions = detect::fuzz::LoadConditionRules();
  detect::EvalScratch scratch;
  detect::AuditEventWire wire;
};

// Protobuf logs (rather than returns) why a parse failed; the last message is kept here, not printed.
std::string& LastProtobufLog() {
  static std::string* const last = new std::string();
  return *last;
}
void KeepProtobufLog(google::protobuf::LogLevel, const char*, int, const std::string& message) {
  LastProtobufLog() = message;
}

State& GetState() {
  static State* const state = [] {
    google::protobuf::SetLogHandler(&KeepProtobufLog);
    detect::WarmUpAuditEventView();
    return new State();
  }();
  return *state;
}

// The ids of the rules `event` matches, in rule order.
std::string MatchedIds(const detect::RuleSet& rules, const detect::Value& event, detect::EvalScratch& scratch) {
  detect::EvalResult result;
  rules.Evaluate(event, "", scratch, result);
  std::string ids;
  for (const detect::Match& m : result.matches) ids += m.rule->id + ",";
  return ids;
}

// True when protobuf kept, as an unknown field, a field whose number the message type knows: it came with the
// wrong wire type. Looks into every set message field, at any depth (map entries and Structs included).
bool HasKnownFieldWithWrongWireType(const google::protobuf::Message& m) {
  const google::protobuf::Reflection* r = m.GetReflection();
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::UnknownFieldSet& unknown = r->GetUnknownFields(m);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (d->FindFieldByNumber(unknown.field(i).number()) != nullptr) return true;
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const google::protobuf::FieldDescriptor* f : fields) {
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        if (HasKnownFieldWithWrongWireType(r->GetRepeatedMessage(m, f, i))) return true;
      }
    } else if (HasKnownFieldWithWrongWireType(r->GetMessage(m, f))) {
      return true;
    }
  }
  return false;
}

void EvaluateEverywhere(State& s, const detect::Value& root, bool utf8_in) {
  detect::fuzz::EvaluateBothWays(*s.pack, root, s.scratch, utf8_in);
  detect::fuzz::EvaluateBothWays(*s.conditions, root, s.scratch, utf8_in);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  GetState();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using detect::fuzz::Die;
  State& s = GetState();
  const absl::string_view raw(reinterpret_cast<const char*>(data), size);

  // The server's path. Unvalidated bytes first: reads may see missing fields, never crash.
  EvaluateEverywhere(s, detect::AuditEventWireValue(raw), /*utf8_in=*/false);
  const absl::Status valid = detect::ValidateAuditEventWire(raw);
  if (valid.ok()) {
    const absl::Status reset = s.wire.Reset(raw);
    if (!reset.ok()) Die("ValidateAuditEventWire accepts what AuditEventWire::Reset refuses: " + reset.ToString());
    // Validation checked UTF-8 in every string field, so everything rendered must be UTF-8.
    EvaluateEverywhere(s, s.wire.root(), /*utf8_in=*/true);
  } else if (valid.code() != absl::StatusCode::kInvalidArgument || valid.message().empty()) {
    Die("a malformed event must be InvalidArgument with a message, got: " + valid.ToString());
  }

  // Protobuf's parser must agree with the validator, with one known difference: a known field with the wrong
  // wire type is an unknown field to protobuf (kept, and the field reads unset), an error to the validator
  // (regressions/audit_event_proto_fuzzer/: response_status_wire_type_fixed64.pb, request_object_as_group.pb,
  // struct_value_wire_type_varint.pb, map_entry_key_wire_type_varint.pb).
  // Stricter is safe; the other way round (the validator accepting what protobuf refuses) never is.
  detect::v1::AuditEvent event;
  LastProtobufLog().clear();
  // Protobuf's default recursion limit (100 message levels) is below what max_event_depth allows (an event
  // level can be three message levels): raise it, and count a depth refusal as the validator being stricter.
  google::protobuf::io::CodedInputStream in(data, static_cast<int>(size));
  in.SetRecursionLimit(static_cast<int>(3 * detect::kDefaultMaxEventDepth + 8));
  // ParseFromCodedStream also stops, successfully, at an END_GROUP tag; ParseFromArray (what protobuf users call)
  // refuses that unless the whole input was read.
  const bool parsed = event.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
  const bool known_difference = parsed && !valid.ok() &&
                                (absl::StrContains(valid.message(), "nested too deep") ||
                                (HasKnownFieldWithWrongWireType(event) ||  // Map entries drop unknown fields:
                                 absl::StrContains(valid.message(), " has wire type ")));  // the message says.
  if (parsed != valid.ok() && !known_difference) {
    Die(std::string("protobuf's parser ") + (parsed ? "accepts" : "refuses") + " what ValidateAuditEventWire " +
        (valid.ok() ? "accepts" : "refuses: " + valid.ToString()));
  }
  if (!parsed || known_difference) return 0;
  const detect::Value message_root = detect::AuditEventValue(event);
  EvaluateEverywhere(s, message_root, /*utf8_in=*/true);

  // Re-serialized (each field once, as serializers write it), the wire view reads like the message view.
  const std::string canonical = event.SerializeAsString();
  detect::AuditEventWire wire;
  const absl::Status reset = wire.Reset(canonical);
  if (!reset.ok()) Die("the wire view refuses protobuf's own serialization: " + reset.ToString());
  for (const detect::RuleSet* rules : {s.pack.get(), s.conditions.get()}) {
    const std::string from_message = MatchedIds(*rules, message_root, s.scratch);
    const std::string from_wire = MatchedIds(*rules, wire.root(), s.scratch);
    if (from_message != from_wire) {
      Die("message view matches [" + from_message + "], wire view of its serialization matches [" + from_wire + "]");
    }
    // The raw bytes, fields repeated or split as they came: the wire view merges as protobuf's parser did.
    const std::string from_raw = MatchedIds(*rules, s.wire.root(), s.scratch);
    if (from_message != from_raw) {
      Die("message view matches [" + from_message + "], wire view of the raw bytes matches [" + from_raw + "]");
    }
  }
  return 0;
}

// Engine results and rule metadata -> detect.v1 messages: matches (with summary values and alert context
// turned from the engine's JSON text into google.protobuf.Value / Struct), rule errors, RuleMetadata.
#ifndef DETECT_SERVER_PROTO_CONVERT_H_
#define DETECT_SERVER_PROTO_CONVERT_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "detect/v1/detect.pb.h"
#include "engine/rule.h"
#include "engine/rule_set.h"
#include "google/protobuf/struct.pb.h"

namespace detect::server {

v1::Severity ToProtoSeverity(Severity severity);

// One match; the rule's static metadata is left out when `with_metadata` is false.
void FillMatch(const Match& match, bool with_metadata, v1::Match* out);

// Everything a rule file says except its detection logic.
void FillRuleMetadata(const RuleInfo& rule, v1::RuleMetadata* out);

// JSON text -> google.protobuf.Value / Struct (an object). InvalidArgument on malformed JSON or, for Struct,
// a non-object. Integers beyond 2^53 lose precision (protobuf's Value holds doubles). Uses a per-thread
// parser: thread-safe, no allocation once the parser has grown.
absl::Status JsonToProtoValue(absl::string_view json, google::protobuf::Value* out);
absl::Status JsonToStruct(absl::string_view json, google::protobuf::Struct* out);

}  // namespace detect::server

#endif  // DETECT_SERVER_PROTO_CONVERT_H_

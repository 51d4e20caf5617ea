// Validation of a serialized AuditEvent (proto/wire_validate.h): one recursive pass over the bytes with the
// descriptor registry's tables, as protobuf's parser checks them, counting event levels as the JSON parser does.
#include "proto/wire_validate.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "proto/wire_reader.h"
#include "proto/wire_schema.h"
#include "simdjson.h"

namespace detect::wire {
namespace {

// Most audit strings are ASCII: check 8 bytes at a time and only hand the rest to simdjson's validator (whose
// per-call dispatch costs more than a short string).
bool ValidUtf8(absl::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t high = 0;
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      high |= w;
    }
    uint64_t last;  // The last 8 bytes, overlapping the words already read.
    std::memcpy(&last, s.data() + s.size() - 8, 8);
    high |= last;
  } else {
    for (; n > 0; ++p, --n) high |= static_cast<uint8_t>(*p);
  }
  if ((high & 0x8080808080808080ull) == 0) return true;
  return simdjson::validate_utf8(s.data(), s.size());
}

uint8_t WireTypeOf(Kind k) {
  switch (k) {
    case Kind::kString: case Kind::kMessage: case Kind::kStruct: case Kind::kValue: case Kind::kListValue:
      return 2;
    case Kind::kDouble: case Kind::kFixed64: case Kind::kSFixed64: return 1;
    case Kind::kFloat: case Kind::kFixed32: case Kind::kSFixed32: return 5;
    default: return 0;
  }
}

// What validation is given and learns besides errors.
struct Check {
  size_t max_depth = 0;
  // A singular message field (or a map entry's message value, or a Value's struct or list) occurs more than
  // once in one message: protobuf merges the occurrences, which the view does not (it reads the last).
  bool merge = false;
};

// The same words as the JSON parser's error (engine/json_event.cc): one limit, one message.
absl::Status TooDeep(const Check& check) {
  return absl::InvalidArgumentError(
      absl::StrCat("event nested too deep: more than max_event_depth ", check.max_depth, " levels"));
}

// Levels are event levels, as a rule (or the same event as JSON) sees them: `level` is the level of the object
// or array a message stands for (the AuditEvent: 1). A sub-message, a map, a repeated field, a Struct and a
// ListValue are one level below their parent; a google.protobuf.Value is no level of its own.
absl::Status ValidateMessage(absl::string_view bytes, const Table* table, const Entry* synthetic, size_t level,
                             Check* check);

// One occurrence of field `e` (or a map's value, or a list element) held by an object or array at `parent`.
absl::Status ValidateValue(const Entry& e, const Field& f, size_t parent, Check* check) {
  if (e.kind == Kind::kUnsupported) return absl::OkStatus();
  if (f.wire_type != WireTypeOf(e.kind)) {
    return MalformedAuditEvent(absl::StrCat("field ", e.json_name.empty() ? "value" : e.json_name, " has wire type ",
                                  f.wire_type));
  }
  const Registry& reg = Registry::Get();
  switch (e.kind) {
    case Kind::kString:
      if (e.bytes) return absl::OkStatus();
      return ValidUtf8(f.data)
                 ? absl::OkStatus()
                 : MalformedAuditEvent(absl::StrCat("field ", e.json_name, " is not valid UTF-8"));
    case Kind::kMessage: return ValidateMessage(f.data, e.sub, nullptr, parent + 1, check);
    case Kind::kStruct: return ValidateMessage(f.data, nullptr, reg.struct_fields(), parent + 1, check);
    case Kind::kListValue: return ValidateMessage(f.data, nullptr, reg.list_values(), parent + 1, check);
    case Kind::kValue: {
      Reader r(f.data);
      int structs = 0, lists = 0;
      for (Field g; r.Next(&g);) {
        absl::Status s;
        if (g.number == 3 && g.wire_type == 2 && !ValidUtf8(g.data)) {
          s = MalformedAuditEvent("a string value is not valid UTF-8");
        } else if (g.number == 5 && g.wire_type == 2) {
          s = ValidateMessage(g.data, nullptr, reg.struct_fields(), parent + 1, check);
          ++structs;
        } else if (g.number == 6 && g.wire_type == 2) {
          s = ValidateMessage(g.data, nullptr, reg.list_values(), parent + 1, check);
          ++lists;
        }
        if (!s.ok()) return s;
      }
      if (structs > 1 || lists > 1) check->merge = true;
      return r.error() ? MalformedAuditEvent("bad google.protobuf.Value") : absl::OkStatus();
    }
    default: return absl::OkStatus();
  }
}

// A message of `table`, or (table null) a Struct / ListValue whose one field is `synthetic`.
absl::Status ValidateMessage(absl::string_view bytes, const Table* table, const Entry* synthetic, size_t level,
                             Check* check) {
  if (level > check->max_depth) return TooDeep(*check);
  // A message's map and repeated fields are objects and arrays one level down; a Struct's members and a
  // ListValue's elements are in the Struct or ListValue itself.
  const size_t container = table != nullptr ? level + 1 : level;
  Reader r(bytes);
  uint64_t seen = 0;  // Singular message fields met so far, by field number (all below 64 in the schema).
  for (Field f; r.Next(&f);) {
    const Entry* e = table != nullptr ? table->ByNumber(f.number) : (f.number == synthetic->number ? synthetic : nullptr);
    if (e == nullptr) continue;  // Unknown field: skipped, as protobuf keeps and ignores it.
    if (e->repeated && e->kind != Kind::kUnsupported && container > check->max_depth) return TooDeep(*check);
    if (!e->map) {
      if (!e->repeated && IsMessageKind(e->kind)) {
        const uint64_t bit = e->number < 64 ? uint64_t{1} << e->number : 0;
        if (bit == 0 || (seen & bit) != 0) check->merge = true;
        seen |= bit;
      }
      if (absl::Status s = ValidateValue(*e, f, e->repeated ? container : level, check); !s.ok()) return s;
      continue;
    }
    if (f.wire_type != 2) return MalformedAuditEvent(absl::StrCat("map field ", e->json_name, " has wire type ", f.wire_type));
    // Every occurrence of the key and the value, not only the last one (the one read): protobuf's parser
    // reads them all, and refuses the entry if any is malformed.
    Reader entry(f.data);
    int values = 0;
    for (Field g; entry.Next(&g);) {
      if (g.number == 1) {
        // Protobuf takes a key of another wire type for an unknown field of the entry; refused here, as every
        // known field of the wrong wire type is (stricter, never more lenient), in the same words.
        if (g.wire_type != 2) {
          return MalformedAuditEvent(absl::StrCat("a map key has wire type ", g.wire_type));
        }
        if (!ValidUtf8(g.data)) return MalformedAuditEvent("a map key is not valid UTF-8");
      } else if (g.number == 2) {
        if (absl::Status s = ValidateValue(*e, g, container, check); !s.ok()) return s;
        ++values;
      }
    }
    if (values > 1 && IsMessageKind(e->kind)) check->merge = true;
    if (entry.error()) return MalformedAuditEvent(absl::StrCat("bad entry in map ", e->json_name));
  }
  return r.error() ? MalformedAuditEvent("truncated or invalid field") : absl::OkStatus();
}

}  // namespace

absl::Status MalformedAuditEvent(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed audit_event: ", what));
}

absl::Status ValidateAuditEvent(absl::string_view serialized, size_t max_depth, bool* needs_merge) {
  Check check;
  check.max_depth = max_depth;
  absl::Status s = ValidateMessage(serialized, Registry::Get().audit_event(), nullptr, 1, &check);
  if (needs_merge != nullptr) *needs_merge = check.merge;
  return s;
}

}  // namespace detect::wire

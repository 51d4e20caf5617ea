// The wire view's descriptor registry (proto/wire_schema.h): tables built from the generated descriptors.
#include "proto/wire_schema.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "detect/v1/detect.pb.h"
#include "google/protobuf/struct.pb.h"

namespace detect::wire {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

Registry::Registry() {
  Entry* fields = Synthetic(1, Kind::kValue, /*map=*/true);      // Struct: map<string, Value> fields = 1;
  Entry* values = Synthetic(1, Kind::kValue, /*map=*/false);     // ListValue: repeated Value values = 1;
  values->repeated = true;
  struct_fields_ = fields;
  list_values_ = values;
  audit_event_ = TableFor(v1::AuditEvent::descriptor());
}

Entry* Registry::Synthetic(uint32_t number, Kind kind, bool map) {
  synthetic_.push_back(std::make_unique<Entry>());
  Entry* e = synthetic_.back().get();
  e->number = number;
  e->kind = kind;
  e->map = map;
  e->repeated = map;
  e->id = static_cast<uint32_t>(entries_.size());
  entries_.push_back(e);
  return e;
}

const Table* Registry::TableFor(const Descriptor* d) {
  auto it = by_descriptor_.find(d);
  if (it != by_descriptor_.end()) return it->second;
  tables_.push_back(std::make_unique<Table>());
  Table* t = tables_.back().get();
  t->id = static_cast<uint32_t>(tables_.size() - 1);
  by_descriptor_[d] = t;  // Before recursing: message types may be recursive.
  std::vector<const FieldDescriptor*> fields;
  for (int i = 0; i < d->field_count(); ++i) fields.push_back(d->field(i));
  std::sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->number() < b->number(); });
  for (const FieldDescriptor* fd : fields) {
    auto e = std::make_unique<Entry>();
    e->number = static_cast<uint32_t>(fd->number());
    e->fd = fd;
    e->json_name = absl::string_view(fd->json_name());
    e->repeated = fd->is_repeated();
    e->map = fd->is_map();
    const FieldDescriptor* value_fd = e->map ? fd->message_type()->map_value() : fd;
    if (e->map && fd->message_type()->map_key()->type() != FieldDescriptor::TYPE_STRING) {
      e->kind = Kind::kUnsupported;  // Only string keys read as JSON object members.
    } else {
      SetKind(value_fd, e.get());
    }
    if (e->repeated && !e->map && e->kind != Kind::kString && e->kind != Kind::kMessage &&
        e->kind != Kind::kStruct && e->kind != Kind::kValue && e->kind != Kind::kListValue) {
      e->kind = Kind::kUnsupported;  // Packed repeated scalars: not in the audit schema.
    }
    e->id = static_cast<uint32_t>(entries_.size());
    entries_.push_back(e.get());
    t->entries.push_back(std::move(e));
  }
  std::vector<std::string> names;
  for (const auto& e : t->entries) {
    if (std::find(names.begin(), names.end(), e->json_name) == names.end()) {  // The first of equal names.
      names.emplace_back(e->json_name);
      t->by_name.push_back(e.get());
    }
    if (e->number >= t->by_number.size()) t->by_number.resize(e->number + 1, nullptr);
    t->by_number[e->number] = e.get();
  }
  t->names = StringTable(std::move(names));
  return t;
}

void Registry::SetKind(const FieldDescriptor* fd, Entry* e) {
  e->fd = e->map ? fd : e->fd;
  switch (fd->type()) {
    case FieldDescriptor::TYPE_STRING: case FieldDescriptor::TYPE_BYTES:
      e->kind = Kind::kString;
      e->bytes = fd->type() == FieldDescriptor::TYPE_BYTES;
      return;
    case FieldDescriptor::TYPE_BOOL: e->kind = Kind::kBool; return;
    case FieldDescriptor::TYPE_INT32: e->kind = Kind::kInt32; return;
    case FieldDescriptor::TYPE_INT64: e->kind = Kind::kInt64; return;
    case FieldDescriptor::TYPE_UINT32: e->kind = Kind::kUInt32; return;
    case FieldDescriptor::TYPE_UINT64: e->kind = Kind::kUInt64; return;
    case FieldDescriptor::TYPE_SINT32: e->kind = Kind::kSInt32; return;
    case FieldDescriptor::TYPE_SINT64: e->kind = Kind::kSInt64; return;
    case FieldDescriptor::TYPE_DOUBLE: e->kind = Kind::kDouble; return;
    case FieldDescriptor::TYPE_FLOAT: e->kind = Kind::kFloat; return;
    case FieldDescriptor::TYPE_FIXED32: e->kind = Kind::kFixed32; return;
    case FieldDescriptor::TYPE_FIXED64: e->kind = Kind::kFixed64; return;
    case FieldDescriptor::TYPE_SFIXED32: e->kind = Kind::kSFixed32; return;
    case FieldDescriptor::TYPE_SFIXED64: e->kind = Kind::kSFixed64; return;
    case FieldDescriptor::TYPE_ENUM: e->kind = Kind::kEnum; return;
    case FieldDescriptor::TYPE_MESSAGE: break;
    default: e->kind = Kind::kUnsupported; return;
  }
  const Descriptor* md = fd->message_type();
  if (md == google::protobuf::Struct::descriptor()) e->kind = Kind::kStruct;
  else if (md == google::protobuf::Value::descriptor()) e->kind = Kind::kValue;
  else if (md == google::protobuf::ListValue::descriptor()) e->kind = Kind::kListValue;
  else {
    e->kind = Kind::kMessage;
    e->sub = TableFor(md);
  }
}

}  // namespace detect::wire

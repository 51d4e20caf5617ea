// Canon: a Value as comparable text (objects with sorted members), checking on the way that Get, Size and
// iteration agree. For tests that compare two views of one event.
#ifndef DETECT_TESTS_SERVER_VALUE_CANON_H_
#define DETECT_TESTS_SERVER_VALUE_CANON_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/value.h"
#include "gtest/gtest.h"

namespace detect::test_support {

inline std::string Canon(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kMissing: return "<missing>";
    case ValueKind::kNull: return "null";
    case ValueKind::kBool: return v.bool_value() ? "true" : "false";
    case ValueKind::kInt: return absl::StrCat(v.int_value());
    case ValueKind::kDouble: return absl::StrCat("d", v.double_value());
    case ValueKind::kString: return absl::StrCat("\"", v.string_value(), "\"");
    case ValueKind::kList: {
      std::vector<std::string> items;
      v.ForEachElement([&](const Value& e) { return items.push_back(Canon(e)), true; });
      EXPECT_EQ(items.size(), v.Size());
      return absl::StrCat("[", absl::StrJoin(items, ","), "]");
    }
    case ValueKind::kObject: {
      std::vector<std::string> members;
      v.ForEachMember([&](absl::string_view k, const Value& e) {
        EXPECT_EQ(Canon(v.Get(k)), Canon(e)) << k;  // Get agrees with iteration.
        members.push_back(absl::StrCat(k, ":", Canon(e)));
        return true;
      });
      EXPECT_EQ(members.size(), v.Size());
      std::sort(members.begin(), members.end());  // Proto maps iterate in no particular order.
      return absl::StrCat("{", absl::StrJoin(members, ","), "}");
    }
  }
  return "?";
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_SERVER_VALUE_CANON_H_

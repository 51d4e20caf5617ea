// EvalState: per-event memos are forgotten by epoch, never by clearing; an epoch must not come round again.
#include "engine/eval/eval_state.h"

#include <cstdint>

#include "engine/value.h"
#include "gtest/gtest.h"

namespace detect::engine_internal {
namespace {

TEST(EvalStateTest, AMemoIsReadInItsEventOnly) {
  EvalState state;
  state.BeginEvent();
  state.SetMemo(3, Value::Bool(true));
  Value v;
  ASSERT_TRUE(state.GetMemo(3, &v));
  EXPECT_TRUE(v.is_bool());
  state.BeginEvent();
  EXPECT_FALSE(state.GetMemo(3, &v));
}

// A slot tagged with a 32-bit epoch would read as this event's again 2^32 events later (4.3 billion: hours for
// one thread of a busy detectd), handing a rule a value from a DOM long reused.
TEST(EvalStateTest, AMemoFromTwoToThe32EventsAgoIsNotRead) {
  EvalState state;
  state.BeginEvent();
  state.SetMemo(0, Value::Bool(true));
  state.SkipEventsForTesting(uint64_t{1} << 32);
  Value v;
  EXPECT_FALSE(state.GetMemo(0, &v));
}

}  // namespace
}  // namespace detect::engine_internal

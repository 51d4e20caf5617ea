// Fnv1a64 against the published FNV-1a test vectors, and its continuation contract.
#include "common/fnv1a.h"

#include "gtest/gtest.h"

namespace detect {
namespace {

TEST(Fnv1a64Test, MatchesThePublishedVectors) {
  // From the FNV reference test suite (draft-eastlake-fnv, "FNV-1a 64").
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(Fnv1a64Test, HashingPiecesInTurnEqualsHashingTheirConcatenation) {
  EXPECT_EQ(Fnv1a64("bar", Fnv1a64("foo")), Fnv1a64("foobar"));
}

TEST(Fnv1a64Test, AnotherStartGivesAnotherHash) {
  EXPECT_NE(Fnv1a64("foobar", 0x9e3779b97f4a7c15ull), Fnv1a64("foobar"));
}

}  // namespace
}  // namespace detect

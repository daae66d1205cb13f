#include "mtrec/core/enum_names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "mtrec/core/config_names.h"
#include "mtrec/dataset.h"
#include "mtrec/loss/bpr.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {
namespace {

enum class Color { kRed, kGreen, kBlue, kUnnamed };
constexpr EnumName<Color> kColorNames[] = {
    {Color::kRed, "red"}, {Color::kGreen, "green"}, {Color::kBlue, "blue"}};

TEST(EnumNames, NamesParsesAndListsChoices) {
  EXPECT_STREQ(NameOf(kColorNames, Color::kGreen), "green");
  EXPECT_STREQ(NameOf(kColorNames, Color::kUnnamed), "?");
  EXPECT_EQ(ValueNamed(kColorNames, "blue"), Color::kBlue);
  EXPECT_EQ(ValueNamed(kColorNames, "Blue"), std::nullopt);
  EXPECT_EQ(ValueNamed(kColorNames, ""), std::nullopt);
  EXPECT_EQ(NameChoices(kColorNames), "red, green or blue");
  static_assert(NameOf(kColorNames, Color::kRed)[0] == 'r');
  EXPECT_EQ(*ParseNamed(kColorNames, "green", "--color"), Color::kGreen);
  const Result<Color> bad = ParseNamed(kColorNames, "pink", "--color");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "--color: expected red, green or blue, got 'pink'");
}

// Every name of a table reads back to its value, and no two values share a name.
template <class E, size_t N>
void ExpectRoundTrip(const EnumName<E> (&names)[N]) {
  std::set<std::string> seen;
  for (const EnumName<E>& n : names) {
    EXPECT_EQ(ValueNamed(names, NameOf(names, n.value)), n.value) << n.name;
    EXPECT_TRUE(seen.insert(n.name).second) << n.name;
  }
}

TEST(EnumNames, EveryTableRoundTrips) {
  ExpectRoundTrip(kDuplicatePolicyNames);
  ExpectRoundTrip(kRatingsColumnNames);
  ExpectRoundTrip(kHeaderModeNames);
  ExpectRoundTrip(kIdPolicyNames);
  ExpectRoundTrip(kBprLossNames);
}

// Every optimizer name parses back to its kind; an unknown one is refused with the choices.
TEST(EnumNames, OptimizerNamesRoundTrip) {
  for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kLazyAdam,
                             OptimizerKind::kAdagrad, OptimizerKind::kSgd,
                             OptimizerKind::kRowwiseAdagrad}) {
    const Result<OptimizerKind> parsed = ParseOptimizerKind(OptimizerName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  const Result<OptimizerKind> bad = ParseOptimizerKind("adamw");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "optimizer: expected adam, lazy_adam, adagrad, sgd or rowwise_adagrad, got 'adamw'");
}

}  // namespace
}  // namespace mtrec

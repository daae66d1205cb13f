// The HTTP API's handlers (src/serve/routes.h) called directly, over an
// in-memory model, for what the end-to-end test (serve_test.py) cannot send
// through its server's 4 KiB body limit: JSON nested 200,000 deep in each
// field an error message shows (the message dumped the value, one stack frame
// per level: a crash), and query parameters given twice (ParseQuery keeps
// every pair: the HTTP library's own parse dropped exact repeats).
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/api_test_data.h"
#include "serve/json_codec.h"
#include "serve/query_string.h"
#include "serve/routes.h"
#include "serve/served_model.h"

namespace mtrec::serve {
namespace {

class ServeRoutes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Dataset data = api_test::MakeDataset(api_test::MakeColumns(20, 30, 300, 3));
    Result<Model> model = Model::Create(api_test::SmallOptions(1), data);
    ASSERT_TRUE(model.ok()) << model.status().message();
    Result<std::shared_ptr<const ServedModel>> served =
        ServedModel::FromModel(std::move(model).value(), data);
    ASSERT_TRUE(served.ok()) << served.status().message();
    served_ = std::move(served).value();
  }
  static void TearDownTestSuite() { served_.reset(); }

  static HttpReply Send(const std::string& method, const std::string& path,
                        const std::string& body = "",
                        std::multimap<std::string, std::string> query = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.query = std::move(query);
    size_t route = 0;
    return HandleRequest(request, *served_, ServerHooks{}, ApiLimits{}, &route);
  }

  // The reply is `status` with a JSON error whose message contains `words`.
  static void ExpectError(const HttpReply& reply, int status, const std::string& words) {
    EXPECT_EQ(reply.status, status) << reply.body;
    const Json j = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << reply.body;
    EXPECT_EQ(j["status"], status);
    EXPECT_NE(j["error"].get<std::string>().find(words), std::string::npos) << reply.body;
    EXPECT_LT(reply.body.size(), 400u) << "the message shows the value whole";
  }

  static std::shared_ptr<const ServedModel> served_;
};
std::shared_ptr<const ServedModel> ServeRoutes::served_;

TEST_F(ServeRoutes, JsonNestedDeepInAnyShownFieldIsA400NotACrash) {
  constexpr size_t kDepth = 200000;  // a 400 KB body, under the default 1 MiB limit
  const std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
  ExpectError(Send("POST", "/v1/recommendations", R"({"users":["u1"],"k":)" + deep + "}"), 400,
              "k: expected an integer");
  ExpectError(Send("POST", "/v1/recommendations",
                   R"({"users":["u1"],"exclude_seen":)" + deep + "}"),
              400, "exclude_seen: expected true or false, got an array nested over 8");
  ExpectError(Send("POST", "/v1/recommendations", R"({"users":[)" + deep + "]}"), 400,
              "users: expected an id");
  ExpectError(Send("POST", "/v1/predict", R"({"pairs":[)" + deep + "]}"), 400,
              "pairs: expected [user, item] arrays, got an array nested");
  ExpectError(Send("POST", "/v1/predict", R"({"pairs":[[)" + deep + R"(,"i1"]]})"), 400,
              "pairs: user: expected an id");
  ExpectError(Send("POST", "/v1/recommendations/for-ratings",
                   R"({"ratings":{"i1":5},"k":)" + deep + "}"),
              400, "k: expected an integer");
  // Shallow values are still shown, long ones cut.
  ExpectError(Send("POST", "/v1/recommendations", R"({"users":["u1"],"k":[[1,2]]})"), 400,
              "got [[1,2]]");
  ExpectError(Send("POST", "/v1/recommendations",
                   R"({"users":["u1"],"k":")" + std::string(1000, 'x') + R"("})"),
              400, "got \"xxxx");
}

TEST_F(ServeRoutes, AQueryParameterGivenTwiceIsA400NamingIt) {
  ExpectError(Send("GET", "/v1/users/u1/recommendations", "", {{"k", "5"}, {"k", "7"}}), 400,
              "k: given 2 times");
  ExpectError(Send("GET", "/v1/items", "", {{"search", "a"}, {"search", "a"}, {"search", "b"}}),
              400, "search: given 3 times");
  // Once each is fine; other parameters are not looked at.
  const HttpReply ok = Send("GET", "/v1/users/u1/recommendations", "",
                            {{"k", "5"}, {"exclude_seen", "false"}, {"x", "1"}, {"x", "2"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json::parse(ok.body)["items"].size(), 5u);
}

// The direct writer of the busy replies writes what the tree's dump writes:
// escapes, UTF-8 (invalid bytes replaced), and numbers of every kind.
TEST(ServeJsonWriter, WritesWhatDumpWrites) {
  const auto dumped = [](const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  };
  for (const std::string& text : std::vector<std::string>{
           "", "196", "Star Wars (1977)", "a\"b\\c/d", "tab\there\nline\x01\x1f\x7f",
           "Amélie (2001)", "bad \xff\xfe utf-8 \xc3", std::string("nul\0in", 6)}) {
    std::string out;
    AppendJson(out, text);
    EXPECT_EQ(out, dumped(Json(text))) << text;
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (const float value : {0.0f, -0.0f, 1.0f, 5.0f, -3.0f, 0.1f, 3.7654321f, -1.25e-7f, 1e-5f,
                            123456789.0f, 3.4e38f, 1.4e-45f, inf, -inf,
                            std::numeric_limits<float>::quiet_NaN()}) {
    std::string out;
    AppendJson(out, value);
    EXPECT_EQ(out, dumped(Json(value))) << value;
  }
}

TEST(ServeRoutesQuery, KeepsEveryPairDecoded) {
  using Pairs = std::multimap<std::string, std::string>;
  EXPECT_EQ(ParseQuery("/v1/items"), Pairs{});
  EXPECT_EQ(ParseQuery("/v1/items?"), Pairs{});
  EXPECT_EQ(ParseQuery("/x?exclude_seen=1&exclude_seen=1"),
            (Pairs{{"exclude_seen", "1"}, {"exclude_seen", "1"}}));
  EXPECT_EQ(ParseQuery("/x?search=star+wars%21&&flag&k=%3D%zz%4"),
            (Pairs{{"search", "star wars!"}, {"flag", ""}, {"k", "=%zz%4"}}));
  EXPECT_EQ(ParseQuery("/x?a%26b=c%3Dd=e&%00=%ff"),
            (Pairs{{"a&b", "c=d=e"}, {std::string(1, '\0'), "\xff"}}));
}

}  // namespace
}  // namespace mtrec::serve

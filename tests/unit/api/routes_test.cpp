#include "sidecar/api/routes.hpp"

#include <gtest/gtest.h>

namespace pushsync::api {
namespace {

using boost::beast::http::verb;

Handler nothing() {
  return [](const Call&) -> boost::asio::awaitable<Response> { co_return Response::empty(204); };
}

TEST(Routes, ExactPathsAndOneParameterSegment) {
  Routes routes;
  routes.add("/v1/push", Access::api_token).methods[verb::post] = nothing();
  routes.add("/v1/installations/{id}", Access::api_token).methods[verb::get] = nothing();
  EXPECT_EQ(routes.find("/v1/push")->route->pattern, "/v1/push");
  auto match = routes.find("/v1/installations/ann%20phone");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->route->pattern, "/v1/installations/{id}");
  EXPECT_EQ(match->param, "ann phone");
  EXPECT_FALSE(routes.find("/v1/installations/"));
  EXPECT_FALSE(routes.find("/v1/installations/a/b"));
  EXPECT_FALSE(routes.find("/v1/pushes"));
}

TEST(Routes, AllowListsTheRoutesMethods) {
  Routes routes;
  Route& route = routes.add("/v1/installations/{id}", Access::api_token);
  for (auto v : {verb::put, verb::get, verb::delete_}) route.methods[v] = nothing();
  EXPECT_EQ(route.allowed_methods(), "DELETE, GET, PUT");
}

}  // namespace
}  // namespace pushsync::api

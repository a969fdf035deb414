#pragma once

// The OAuth client of the GitHub login: exchanges a code for a token and reads
// the user, over HTTPS (system CA store) or plain HTTP to a loopback host.
// Included only by the host's asio translation units.

#include <memory>
#include <string>
#include <variant>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <service/api.hpp>
#include <service/config.hpp>

namespace service {

class GitHubClient {
  public:
    GitHubClient(boost::asio::any_io_executor executor, const Config& config);
    ~GitHubClient();

    /// The user and tokens for an authorization code, or why there are none. Log
    /// lines carry `request_id`, the id of the request the call serves.
    boost::asio::awaitable<std::variant<GitHubLogin, GitHubFailure>> login(
        std::string code, std::string request_id = {});

    /// The Projects (v2) the tokens' user owns or sees through their organisations.
    /// An expired access token, or one GitHub refuses, is first refreshed with the
    /// refresh token when there is one; the answer then carries the new tokens.
    boost::asio::awaitable<GitHubProjectsAnswer> projects(session::OAuthTokens tokens,
                                                          std::string request_id = {});

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace service

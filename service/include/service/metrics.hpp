#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <service/api.hpp>
#include <service/response_cache.hpp>
#include <service/router.hpp>
#include <session/session_store.hpp>
#include <settings/storage.hpp>

namespace service {

/// The service's Prometheus metrics (operations.md) and their text exposition,
/// format 0.0.4. What happens in the HTTP host is recorded here as it happens;
/// what other parts count themselves (cache, sessions, storage errors, the
/// connection pool) is read from `Sources` at each scrape. Route labels are
/// route templates, so no request can add a series. Thread-safe.
class Metrics {
  public:
    /// Read at each scrape; each may be empty.
    struct Sources {
        std::function<ResponseCache::Counts()> cache;
        std::function<Api::StorageErrors()> storage_errors;
        std::function<session::SessionCounts()> sessions;
        std::function<std::optional<settings::PoolUsage>()> pool;
    };

    /// `version` and `storage` ("sqlite", "postgresql") label the build info.
    Metrics(std::string_view version, std::string_view storage);
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    /// Set once, before the first scrape.
    void set_sources(Sources sources);

    void request_started();
    /// A request answered with `status`; `endpoint` is its route, nothing when
    /// no route matched (label `unmatched`).
    void request_finished(std::optional<Endpoint> endpoint, int status,
                          std::chrono::steady_clock::duration duration);
    void connection_opened();
    void connection_closed();
    /// For the event stream endpoint: one call each when a stream opens and closes.
    void event_stream_opened();
    void event_stream_closed();
    /// A group commit of `writes` writes (settings::StorageOptions::on_group_commit).
    void group_committed(std::size_t writes);
    /// For the settings history: entries deleted by its purge.
    void history_purged(std::size_t entries);

    /// Every metric in the Prometheus text format.
    [[nodiscard]] std::string scrape() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The answer of the metrics listener: GET /metrics, 404 for any other path,
/// 405 for any other method.
Response metrics_response(const Request& request, const Metrics& metrics);

}  // namespace service

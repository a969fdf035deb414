#include <array>
#include <chrono>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <vector>

#include <service/metrics.hpp>

namespace service {

namespace {

constexpr std::string_view unmatched_route = "unmatched";
constexpr std::array<std::string_view, 5> status_classes{"1xx", "2xx", "3xx", "4xx", "5xx"};

std::size_t status_class(int status) {
    const int index = status / 100 - 1;
    return index < 0 ? 4 : std::min<std::size_t>(static_cast<std::size_t>(index), 4);
}

// A family whose value is read at scrape time, as the registry's own would be.
prometheus::MetricFamily pulled(std::string name, std::string help, prometheus::MetricType type,
                                double value, prometheus::ClientMetric::Label label = {}) {
    prometheus::ClientMetric metric;
    if (!label.name.empty()) {
        metric.label.push_back(std::move(label));
    }
    if (type == prometheus::MetricType::Counter) {
        metric.counter.value = value;
    } else {
        metric.gauge.value = value;
    }
    return {std::move(name), std::move(help), type, {std::move(metric)}};
}

}  // namespace

struct Metrics::Impl {
    prometheus::Registry registry;
    Sources sources;
    std::size_t routes = endpoint_count() + 1;  // the last one: unmatched
    // Every series exists from the start, one per route and status class, so the
    // hot path only increments (no label lookup, no allocation).
    std::vector<prometheus::Counter*> requests;
    std::vector<prometheus::Histogram*> durations;
    prometheus::Gauge* in_flight = nullptr;
    prometheus::Gauge* connections = nullptr;
    prometheus::Gauge* event_streams = nullptr;
    prometheus::Histogram* group_commit = nullptr;
    prometheus::Counter* history_purged = nullptr;

    Impl(std::string_view version, std::string_view storage) {
        auto& request_family =
            prometheus::BuildCounter()
                .Name("settings_http_requests_total")
                .Help("HTTP requests answered, by route template and status class")
                .Register(registry);
        auto& duration_family =
            prometheus::BuildHistogram()
                .Name("settings_http_request_duration_seconds")
                .Help("Time from a request's complete head to its answer, by route template")
                .Register(registry);
        const prometheus::Histogram::BucketBoundaries buckets{
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0};
        for (std::size_t route = 0; route < routes; ++route) {
            const std::string label(route + 1 == routes
                                        ? unmatched_route
                                        : route_template(static_cast<Endpoint>(route)));
            for (const auto status : status_classes) {
                requests.push_back(
                    &request_family.Add({{"route", label}, {"code", std::string(status)}}));
            }
            durations.push_back(&duration_family.Add({{"route", label}}, buckets));
        }
        in_flight = &prometheus::BuildGauge()
                         .Name("settings_http_requests_in_flight")
                         .Help("Requests being answered right now")
                         .Register(registry)
                         .Add({});
        connections = &prometheus::BuildGauge()
                           .Name("settings_http_connections_open")
                           .Help("Open client connections of the API listener")
                           .Register(registry)
                           .Add({});
        event_streams = &prometheus::BuildGauge()
                             .Name("settings_event_streams_open")
                             .Help("Open event streams")
                             .Register(registry)
                             .Add({});
        group_commit = &prometheus::BuildHistogram()
                            .Name("settings_storage_group_commit_writes")
                            .Help("Writes per group commit (one transaction, one fsync)")
                            .Register(registry)
                            .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64,
                                                                             128, 256});
        history_purged = &prometheus::BuildCounter()
                              .Name("settings_history_entries_purged_total")
                              .Help("Settings history entries deleted by the purge")
                              .Register(registry)
                              .Add({});
        prometheus::BuildGauge()
            .Name("process_start_time_seconds")
            .Help("Start time of the process since the Unix epoch, in seconds")
            .Register(registry)
            .Add({})
            .Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                     .count());
        prometheus::BuildGauge()
            .Name("settings_build_info")
            .Help("Always 1; the labels say which build runs on which storage engine")
            .Register(registry)
            .Add({{"version", std::string(version)}, {"storage", std::string(storage)}})
            .Set(1);
    }

    [[nodiscard]] std::vector<prometheus::MetricFamily> pulled_families() const {
        using prometheus::MetricType;
        std::vector<prometheus::MetricFamily> families;
        if (sources.cache) {
            const auto cache = sources.cache();
            families.push_back(pulled("settings_cache_hits_total",
                                      "Reads of the user's settings answered from the cache",
                                      MetricType::Counter, static_cast<double>(cache.hits)));
            families.push_back(pulled("settings_cache_misses_total",
                                      "Reads of the user's settings the cache could not answer",
                                      MetricType::Counter, static_cast<double>(cache.misses)));
        }
        if (sources.storage_errors) {
            const auto errors = sources.storage_errors();
            auto family = pulled("settings_storage_errors_total",
                                 "Storage failures answered with 503 (unavailable) or 500 (failed)",
                                 MetricType::Counter, static_cast<double>(errors.unavailable),
                                 {"kind", "unavailable"});
            auto failed = family.metric.front();
            failed.label = {{"kind", "failed"}};
            failed.counter.value = static_cast<double>(errors.failed);
            family.metric.push_back(std::move(failed));
            families.push_back(std::move(family));
        }
        if (sources.sessions) {
            const auto sessions = sources.sessions();
            families.push_back(pulled("settings_sessions_created_total", "Sessions created",
                                      MetricType::Counter, static_cast<double>(sessions.created)));
            families.push_back(pulled("settings_sessions_expired_total",
                                      "Expired sessions rejected (and deleted) at lookup",
                                      MetricType::Counter, static_cast<double>(sessions.expired)));
            families.push_back(pulled("settings_sessions_purged_total",
                                      "Expired sessions deleted by the periodic purge",
                                      MetricType::Counter, static_cast<double>(sessions.purged)));
        }
        if (sources.pool) {
            if (const auto pool = sources.pool()) {
                families.push_back(pulled("settings_storage_pool_connections_in_use",
                                          "PostgreSQL pool connections leased right now",
                                          MetricType::Gauge, static_cast<double>(pool->in_use)));
                families.push_back(pulled("settings_storage_pool_connections_max",
                                          "PostgreSQL pool size (DATABASE_POOL_SIZE)",
                                          MetricType::Gauge, static_cast<double>(pool->size)));
            }
        }
        return families;
    }
};

Metrics::Metrics(std::string_view version, std::string_view storage)
    : impl_(std::make_unique<Impl>(version, storage)) {}

Metrics::~Metrics() = default;

void Metrics::set_sources(Sources sources) {
    impl_->sources = std::move(sources);
}

void Metrics::request_started() {
    impl_->in_flight->Increment();
}

void Metrics::request_finished(std::optional<Endpoint> endpoint, int status,
                               std::chrono::steady_clock::duration duration) {
    auto& impl = *impl_;
    const auto route = endpoint ? static_cast<std::size_t>(*endpoint) : impl.routes - 1;
    impl.in_flight->Decrement();
    impl.requests[route * status_classes.size() + status_class(status)]->Increment();
    impl.durations[route]->Observe(std::chrono::duration<double>(duration).count());
}

void Metrics::connection_opened() {
    impl_->connections->Increment();
}

void Metrics::connection_closed() {
    impl_->connections->Decrement();
}

void Metrics::event_stream_opened() {
    impl_->event_streams->Increment();
}

void Metrics::event_stream_closed() {
    impl_->event_streams->Decrement();
}

void Metrics::group_committed(std::size_t writes) {
    impl_->group_commit->Observe(static_cast<double>(writes));
}

void Metrics::history_purged(std::size_t entries) {
    impl_->history_purged->Increment(static_cast<double>(entries));
}

std::string Metrics::scrape() const {
    auto families = impl_->registry.Collect();
    auto pulled = impl_->pulled_families();
    families.insert(families.end(), std::make_move_iterator(pulled.begin()),
                    std::make_move_iterator(pulled.end()));
    return prometheus::TextSerializer().Serialize(families);
}

Response metrics_response(const Request& request, const Metrics& metrics) {
    if (request.path() != "/metrics") {
        return error_response(404, "only /metrics is served here");
    }
    if (request.method != "GET") {
        auto response = error_response(405, "method not allowed on this endpoint");
        response.add_header("allow", "GET");
        return response;
    }
    Response response;
    response.status = 200;
    response.add_header("content-type", "text/plain; version=0.0.4; charset=utf-8");
    response.add_header("cache-control", "no-store");
    response.body = metrics.scrape();
    return response;
}

}  // namespace service

// A real Prometheus scrapes a real three-node cluster with the deploy kit's
// rule files (deploy/prometheus/recording.rules.yml, alerts.rules.yml):
// every node is up, the rules load and evaluate without error, the
// recorded cluster Apdex and throughput come out as numbers, every queue of
// every node has a depth series, and the answer counters Prometheus stores
// account for every operation the load did. Skipped where Prometheus is not
// installed.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/integration/free_ports.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/node_process.h"
#include "tests/integration/process_cluster.h"
#include "tests/support/temp_directory.h"

#ifndef QUOKKA_SOURCE_DIR
#error "QUOKKA_SOURCE_DIR must name the source tree (for deploy/prometheus)"
#endif

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPrometheusBinary = "/usr/bin/prometheus";
constexpr auto kHttpTimeout = 2s;
// Every bounded queue of a node (Node::queues and Server::update_gauges);
// each must export depth, capacity, refusals and waits.
const std::set<std::string> kQueues = {
    "writes",          "reads",         "proposals",      "read_index",
    "staged_values",   "proposed_values", "storage_writes", "connections",
    "connection_requests", "peer_outgoing", "peer_outgoing_bytes", "forwarded_writes",
    "write_values"};
// The series per queue.
const std::vector<std::string> kQueueSeries = {"quokka_queue_depth", "quokka_queue_capacity",
                                               "quokka_queue_rejected_total",
                                               "quokka_queue_wait_seconds_count"};
// Counters the load must move, summed over the nodes: proposals commit,
// read-index rounds run, items leave the write queue, the log syncs, peers
// exchange bytes and heartbeats are timed.
const std::vector<std::string> kMovedByLoad = {
    "quokka_raft_proposals_committed_total",
    "quokka_read_index_rounds_total",
    "quokka_queue_wait_seconds_count{queue=\"writes\"}",
    "quokka_queue_wait_seconds_count{queue=\"storage_writes\"}",
    "quokka_log_sync_duration_seconds_count",
    "quokka_peer_sent_bytes_total",
    "quokka_peer_received_bytes_total",
    "quokka_peer_round_trip_time_seconds_count",
    "process_cpu_seconds_total"};

// --- A small JSON reader, enough for the Prometheus HTTP API's answers. ---

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;        // array elements, or object values
  std::vector<std::string> keys;  // object keys, parallel to items

  // The member `key` of an object; null when absent or not an object.
  const Json& operator[](std::string_view key) const {
    static const Json kNull;
    if (type != Type::kObject) return kNull;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return items[i];
    }
    return kNull;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  std::optional<Json> read_document() {
    std::optional<Json> value = read_value();
    skip_space();
    if (!value || at_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool consume(std::string_view literal) {
    if (text_.substr(at_, literal.size()) != literal) return false;
    at_ += literal.size();
    return true;
  }

  std::optional<std::string> read_string() {
    if (!consume("\"")) return std::nullopt;
    std::string out;
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (c == '\\') {
        if (at_ >= text_.size()) return std::nullopt;
        c = text_[at_++];
        switch (c) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case 'u': {
            if (at_ + 4 > text_.size()) return std::nullopt;
            const unsigned code = std::stoul(std::string(text_.substr(at_, 4)), nullptr, 16);
            at_ += 4;
            // Enough for these answers: ASCII as is, anything else as '?'.
            out.push_back(code < 0x80 ? static_cast<char>(code) : '?');
            break;
          }
          default: out.push_back(c);  // '"', '\\', '/'
        }
      } else {
        out.push_back(c);
      }
    }
    if (!consume("\"")) return std::nullopt;
    return out;
  }

  std::optional<Json> read_value() {
    skip_space();
    if (at_ >= text_.size()) return std::nullopt;
    Json value;
    const char c = text_[at_];
    if (c == '{' || c == '[') {
      const bool object = c == '{';
      value.type = object ? Json::Type::kObject : Json::Type::kArray;
      ++at_;
      skip_space();
      if (consume(object ? "}" : "]")) return value;
      while (true) {
        if (object) {
          skip_space();
          std::optional<std::string> key = read_string();
          skip_space();
          if (!key || !consume(":")) return std::nullopt;
          value.keys.push_back(std::move(*key));
        }
        std::optional<Json> item = read_value();
        if (!item) return std::nullopt;
        value.items.push_back(std::move(*item));
        skip_space();
        if (consume(",")) continue;
        if (consume(object ? "}" : "]")) return value;
        return std::nullopt;
      }
    }
    if (c == '"') {
      std::optional<std::string> s = read_string();
      if (!s) return std::nullopt;
      value.type = Json::Type::kString;
      value.string = std::move(*s);
      return value;
    }
    if (consume("true") || consume("false")) {
      value.type = Json::Type::kBool;
      value.boolean = text_[at_ - 4] == 't';
      return value;
    }
    if (consume("null")) return value;
    const size_t start = at_;
    while (at_ < text_.size() && std::string_view("+-.eE0123456789").find(text_[at_]) !=
                                     std::string_view::npos) {
      ++at_;
    }
    if (at_ == start) return std::nullopt;
    value.type = Json::Type::kNumber;
    value.number = std::strtod(std::string(text_.substr(start, at_ - start)).c_str(), nullptr);
    return value;
  }

  std::string_view text_;
  size_t at_ = 0;
};

// --- Prometheus as a child process. ---

// One element of an instant vector: the series' labels and its value
// (the API sends the value as a string; "NaN" reads as NaN).
struct VectorElement {
  std::map<std::string, std::string> labels;
  double value = 0;

  // The label's value; empty when the series has no such label.
  std::string label(const std::string& name) const {
    auto it = labels.find(name);
    return it == labels.end() ? std::string() : it->second;
  }
};

// A Prometheus server on a free 127.0.0.1 port, with its own configuration
// and storage in a temporary directory. Stopped (SIGTERM, then SIGKILL if
// it lingers) by the pid it started, when the object goes away.
class PrometheusProcess {
 public:
  ~PrometheusProcess() {
    if (::testing::Test::HasFailure() && process_) {
      std::cerr << "--- prometheus log (last lines) ---\n" << process_->log_tail(30);
    }
    if (process_ && process_->running()) {
      process_->signal(SIGTERM);
      if (!process_->wait_for_exit(5s)) process_->kill();
    }
  }

  // Writes the configuration (1 s scrape and evaluation intervals, the
  // repository's rule files, `targets` as job "quokka"), starts Prometheus
  // and waits until it says it is ready. Picks another port if the one
  // chosen was taken in the meantime.
  ::testing::AssertionResult start(const std::vector<std::string>& targets) {
    const std::filesystem::path rules = std::filesystem::path(QUOKKA_SOURCE_DIR) / "deploy" /
                                        "prometheus";
    std::string target_list;
    for (const std::string& target : targets) {
      target_list += fmt::format("{}\"{}\"", target_list.empty() ? "" : ", ", target);
    }
    const std::filesystem::path config = directory_.path() / "prometheus.yml";
    std::ofstream(config) << fmt::format(
        "global:\n"
        "  scrape_interval: 1s\n"
        "  scrape_timeout: 900ms\n"
        "  evaluation_interval: 1s\n"
        "rule_files:\n"
        "  - \"{}\"\n"
        "  - \"{}\"\n"
        "scrape_configs:\n"
        "  - job_name: quokka\n"
        "    metrics_path: /metrics\n"
        "    static_configs:\n"
        "      - targets: [{}]\n"
        "        labels:\n"
        "          cluster: quokka-integration\n",
        (rules / "recording.rules.yml").string(), (rules / "alerts.rules.yml").string(),
        target_list);

    std::string problems;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      endpoint_ = fmt::format("127.0.0.1:{}", pick_free_ports(1).front());
      const std::filesystem::path storage = directory_.path() / fmt::format("data{}", attempt);
      process_ = std::make_unique<NodeProcess>(
          kPrometheusBinary,
          std::vector<std::string>{"--config.file=" + config.string(),
                                   "--storage.tsdb.path=" + storage.string(),
                                   "--web.listen-address=" + endpoint_, "--log.level=info"},
          directory_.path() / fmt::format("prometheus{}.log", attempt));
      if (std::string error = process_->start(); !error.empty()) {
        return ::testing::AssertionFailure() << "prometheus: " << error;
      }
      const auto deadline = std::chrono::steady_clock::now() + 15s;
      while (std::chrono::steady_clock::now() < deadline && process_->running()) {
        std::optional<HttpResponse> ready = http_get(endpoint_, "/-/ready", 500ms);
        if (ready && ready->status == 200) return ::testing::AssertionSuccess();
        std::this_thread::sleep_for(50ms);
      }
      const std::string log = process_->log_contents();
      problems = fmt::format("attempt {}: prometheus on {} {}; its log:\n{}", attempt, endpoint_,
                             process_->running() ? "was not ready within 15 s" : "exited",
                             process_->log_tail(20));
      process_->kill();
      if (log.find("address already in use") == std::string::npos) break;
    }
    return ::testing::AssertionFailure() << problems;
  }

  // GET /api/v1/<path>; the parsed answer when its status is "success".
  std::optional<Json> api(const std::string& target, std::string* error) const {
    std::optional<HttpResponse> response = http_get(endpoint_, "/api/v1/" + target, kHttpTimeout,
                                                    error);
    if (!response) return std::nullopt;
    std::optional<Json> json = JsonReader(response->body).read_document();
    if (!json || (*json)["status"].string != "success") {
      if (error) *error = fmt::format("HTTP {}: {}", response->status, response->body);
      return std::nullopt;
    }
    return json;
  }

  // An instant query; nothing when it failed (`error` says why).
  std::optional<std::vector<VectorElement>> query(const std::string& expression,
                                                  std::string* error = nullptr) const {
    std::optional<Json> json = api("query?query=" + url_encode(expression), error);
    if (!json) return std::nullopt;
    const Json& data = (*json)["data"];
    if (data["resultType"].string != "vector") {
      if (error) *error = "result type " + data["resultType"].string + ", not vector";
      return std::nullopt;
    }
    std::vector<VectorElement> elements;
    for (const Json& result : data["result"].items) {
      VectorElement element;
      const Json& metric = result["metric"];
      for (size_t i = 0; i < metric.keys.size(); ++i) {
        element.labels[metric.keys[i]] = metric.items[i].string;
      }
      const Json& value = result["value"];
      if (value.items.size() != 2) continue;
      element.value = std::strtod(value.items[1].string.c_str(), nullptr);
      elements.push_back(std::move(element));
    }
    return elements;
  }

  const std::string& endpoint() const { return endpoint_; }

 private:
  testing::TempDirectory directory_;
  std::string endpoint_;
  std::unique_ptr<NodeProcess> process_;
};

// Polls `done` every 200 ms until it holds or `timeout` passes.
template <typename Predicate>
bool eventually(std::chrono::milliseconds timeout, Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(200ms);
  }
  return true;
}

std::string describe(const std::vector<VectorElement>& elements) {
  std::string out;
  for (const VectorElement& element : elements) {
    std::string labels;
    for (const auto& [key, value] : element.labels) {
      labels += fmt::format("{}{}=\"{}\"", labels.empty() ? "" : ",", key, value);
    }
    out += fmt::format("  {{{}}} {}\n", labels, element.value);
  }
  return out.empty() ? "  (no series)\n" : out;
}

// The summed value of an instant query: 0 for an empty result (a counter
// no node has created yet), nothing when the query failed.
std::optional<double> query_sum(const PrometheusProcess& prometheus,
                                const std::string& expression) {
  std::optional<std::vector<VectorElement>> result = prometheus.query(expression);
  if (!result) return std::nullopt;
  double sum = 0;
  for (const VectorElement& element : *result) sum += element.value;
  return sum;
}

TEST(PrometheusScrapeTest, RealPrometheusScrapesEveryNodeAndEvaluatesTheDeployRules) {
  if (!std::filesystem::exists(kPrometheusBinary)) {
    GTEST_SKIP() << kPrometheusBinary << " is not installed (Debian package `prometheus`)";
  }
  const auto test_started = std::chrono::steady_clock::now();
  // The nodes run with the default Apdex thresholds, which are the ones
  // the recording rules select buckets by (recording.rules.yml).
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  ASSERT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();

  // What each node exports, straight from its /metrics.
  std::vector<std::string> targets;
  std::map<std::string, std::set<std::string>> queues_of;  // metrics endpoint -> queue names
  for (NodeId id : cluster.node_ids()) {
    const std::string endpoint = cluster.metrics_endpoint(id);
    targets.push_back(endpoint);
    std::string error;
    std::optional<HttpResponse> scrape = http_get(endpoint, "/metrics", kHttpTimeout, &error);
    ASSERT_TRUE(scrape.has_value()) << "node " << id << ": " << error;
    ASSERT_EQ(scrape->status, 200) << scrape->body;
    queues_of[endpoint] = label_values(scrape->body, "quokka_queue_depth", "queue");
    for (const std::string& series : kQueueSeries) {
      const std::set<std::string> queues = label_values(scrape->body, series, "queue");
      for (const std::string& queue : kQueues) {
        EXPECT_TRUE(queues.contains(queue))
            << "node " << id << " exports no " << series << "{queue=\"" << queue << "\"}";
      }
    }
  }

  PrometheusProcess prometheus;
  ASSERT_TRUE(prometheus.start(targets));

  // Every node up.
  std::vector<VectorElement> up;
  std::string error;
  const bool all_up = eventually(15s, [&] {
    std::optional<std::vector<VectorElement>> result =
        prometheus.query("up{job=\"quokka\"}", &error);
    if (!result) return false;
    up = *result;
    return up.size() == targets.size() &&
           std::all_of(up.begin(), up.end(), [](const VectorElement& e) { return e.value == 1; });
  });
  ASSERT_TRUE(all_up) << "up{job=\"quokka\"} is not 1 for all " << targets.size()
                      << " nodes:\n"
                      << describe(up) << error;
  std::set<std::string> instances;
  for (const VectorElement& element : up) instances.insert(element.label("instance"));
  EXPECT_EQ(instances, std::set<std::string>(targets.begin(), targets.end()));

  const std::string handled = "sum(quokka_requests_handled_total{job=\"quokka\"})";
  const std::optional<double> handled_before = query_sum(prometheus, handled);
  ASSERT_TRUE(handled_before.has_value());
  std::map<std::string, double> moved_before;
  for (const std::string& counter : kMovedByLoad) {
    moved_before[counter] = query_sum(prometheus, "sum(" + counter + ")").value_or(0);
  }

  // The load: puts and linearizable gets through the client library.
  std::atomic<uint64_t> succeeded{0};
  std::atomic<uint64_t> failed{0};
  {
    const auto load_until = std::chrono::steady_clock::now() + 3s;
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        std::unique_ptr<client::Client> client = cluster.make_client();
        for (int i = 0; std::chrono::steady_clock::now() < load_until; ++i) {
          const std::string key = fmt::format("scrape/{}/{}", t, i % 50);
          if (client->put(key, fmt::format("value {}", i)).is_ok()) {
            ++succeeded;
          } else {
            ++failed;
          }
          if (client->get(key).is_ok()) {
            ++succeeded;
          } else {
            ++failed;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  ASSERT_GT(succeeded.load(), 0u) << failed.load() << " operations failed, none succeeded";
  EXPECT_EQ(failed.load(), 0u);

  // The cluster Apdex per operation, from the recording rules: a number in
  // [0, 1] (NaN until the 1-minute rate has two samples).
  const std::string apdex_query = "cluster_op:quokka_apdex:ratio_rate1m";
  std::vector<VectorElement> apdex;
  const bool apdex_ready = eventually(15s, [&] {
    std::optional<std::vector<VectorElement>> result = prometheus.query(apdex_query, &error);
    if (!result) return false;
    apdex = *result;
    std::set<std::string> ops;
    for (const VectorElement& element : apdex) {
      if (!std::isnan(element.value)) ops.insert(element.label("op"));
    }
    return ops.contains("put") && ops.contains("get");
  });
  ASSERT_TRUE(apdex_ready) << apdex_query << " has no number for put and get:\n"
                           << describe(apdex) << error;
  for (const VectorElement& element : apdex) {
    EXPECT_GE(element.value, 0.0) << describe(apdex);
    EXPECT_LE(element.value, 1.0) << describe(apdex);
    EXPECT_EQ(element.label("cluster"), "quokka-integration");
  }

  // Throughput per operation.
  const std::string throughput_query = "cluster_op:quokka_requests_handled:rate1m";
  std::vector<VectorElement> throughput;
  const bool throughput_seen = eventually(10s, [&] {
    std::optional<std::vector<VectorElement>> result =
        prometheus.query(throughput_query, &error);
    if (!result) return false;
    throughput = *result;
    std::set<std::string> ops;
    for (const VectorElement& element : throughput) {
      if (element.value > 0) ops.insert(element.label("op"));
    }
    return ops.contains("put") && ops.contains("get");
  });
  EXPECT_TRUE(throughput_seen) << throughput_query << " is not > 0 for put and get:\n"
                               << describe(throughput) << error;

  // The new counters moved under the load, as Prometheus stores them.
  for (const std::string& counter : kMovedByLoad) {
    double after = 0;
    const bool moved = eventually(10s, [&] {
      after = query_sum(prometheus, "sum(" + counter + ")").value_or(-1);
      return after > moved_before[counter];
    });
    EXPECT_TRUE(moved) << counter << " stayed at " << moved_before[counter] << " (now "
                       << after << ")";
  }
  // The store gauges see what the load wrote, on every node (RocksDB's
  // key estimate counts overwrites in the memtable, so only a lower bound).
  std::optional<std::vector<VectorElement>> keys =
      prometheus.query("quokka_keys{job=\"quokka\"}", &error);
  ASSERT_TRUE(keys.has_value()) << error;
  EXPECT_EQ(keys->size(), targets.size()) << describe(*keys);
  for (const VectorElement& element : *keys) {
    EXPECT_GE(element.value, 1) << describe(*keys);
  }

  // A depth series for every queue of every node.
  std::optional<std::vector<VectorElement>> depths =
      prometheus.query("quokka_queue_depth{job=\"quokka\"}", &error);
  ASSERT_TRUE(depths.has_value()) << error;
  std::set<std::pair<std::string, std::string>> stored;
  for (VectorElement& element : *depths) {
    stored.emplace(element.label("instance"), element.label("queue"));
  }
  for (const auto& [endpoint, queues] : queues_of) {
    for (const std::string& queue : queues) {
      EXPECT_TRUE(stored.contains({endpoint, queue}))
          << "Prometheus has no quokka_queue_depth{instance=\"" << endpoint << "\", queue=\""
          << queue << "\"}:\n"
          << describe(*depths);
    }
  }

  // The answer counters: the nodes' own totals (static now that the load
  // is over) cover every successful operation, and Prometheus stores
  // exactly those totals once it has scraped again.
  double nodes_total = 0;
  for (const std::string& endpoint : targets) {
    std::optional<HttpResponse> scrape = http_get(endpoint, "/metrics", kHttpTimeout, &error);
    ASSERT_TRUE(scrape.has_value()) << endpoint << ": " << error;
    nodes_total += sample_sum(scrape->body, "quokka_requests_handled_total").value_or(0);
  }
  EXPECT_GE(nodes_total, static_cast<double>(succeeded.load()));
  double handled_after = 0;
  const bool caught_up = eventually(10s, [&] {
    handled_after = query_sum(prometheus, handled).value_or(-1);
    return handled_after == nodes_total;
  });
  EXPECT_TRUE(caught_up) << handled << " is " << handled_after << "; the nodes say "
                         << nodes_total;
  EXPECT_GE(handled_after - *handled_before, static_cast<double>(succeeded.load()))
      << handled << " rose from " << *handled_before << " to " << handled_after;

  // Both rule files loaded, and no rule failed to evaluate.
  std::optional<Json> rules = prometheus.api("rules", &error);
  ASSERT_TRUE(rules.has_value()) << error;
  std::set<std::string> files;
  size_t rule_count = 0;
  for (const Json& group : (*rules)["data"]["groups"].items) {
    files.insert(std::filesystem::path(group["file"].string).filename().string());
    for (const Json& rule : group["rules"].items) {
      ++rule_count;
      EXPECT_NE(rule["health"].string, "err")
          << "rule " << rule["name"].string << " fails: " << rule["lastError"].string;
    }
  }
  EXPECT_TRUE(files.contains("recording.rules.yml"));
  EXPECT_TRUE(files.contains("alerts.rules.yml"));

  std::cout << fmt::format(
      "{} operations succeeded; Prometheus on {} stores {} answers (was {}); {} rules loaded\n"
      "apdex:\n{}throughput:\n{}test took {} ms\n",
      succeeded.load(), prometheus.endpoint(), handled_after, *handled_before, rule_count,
      describe(apdex), describe(throughput),
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                            test_started)
          .count());
}

}  // namespace
}  // namespace quokka::integration

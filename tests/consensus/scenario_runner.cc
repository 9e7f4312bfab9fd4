// Runs the scenario transcripts in testdata/: each file is a script of
// commands to an in-process cluster, every command followed by a line
// "----", the output it must produce, and a blank line. Lines starting with
// '#' (and blank lines) between commands are comments.
//
// With QUOKKA_REWRITE_SCENARIOS=1 the runner writes the actual output back
// into the files instead of comparing; do that on purpose only, and review
// the diff as you would review code.
//
// Commands (ids are node ids; every command that changes the cluster prints
// the status line of each node whose status changed, or "ok"):
//   add-nodes N [pre-vote=BOOL] [check-quorum=BOOL] [append-bytes=N]
//                        first use: a cluster of voters 1..N; later uses add
//                        N nodes that are not members yet (see add-learner)
//   campaign ID          start an election now
//   tick ID [N]          N ticks of one node (default 1)
//   tick-all [N]         N ticks of every running node
//   run N                N times: tick every node, then deliver until quiet
//   deliver [ID]         deliver until quiet; or only the messages queued now
//                        for node ID. Prints every message taken.
//   deliver-type TYPE... deliver messages of these types (Vote, Heartbeat,
//                        ...), and those of them they cause, until none is
//                        queued; the rest stay queued
//   deliver-from ID      deliver the messages queued now from node ID
//   drop [ID]            lose every queued message (or those for node ID)
//   pending              print the queued messages
//   partition A B | C    cut every link between the groups
//   isolate ID           cut every link of node ID
//   heal                 restore every link
//   propose ID COMMAND   "index=I term=T" or the error
//   read-index ID CTX    ask node ID for a read index
//   transfer FROM TO     hand leadership from FROM to TO
//   add-learner LEADER ID / promote LEADER ID / remove LEADER ID
//                        a membership change proposed on LEADER
//   crash ID / restart ID
//   compact ID INDEX     node ID snapshots its state at INDEX, drops the log
//   status               every node's id/term/role/leader/commit/applied/last
//   log ID               node ID's persisted hard state, snapshot and entries
//   applied ID           node ID's applied commands
//   reads ID             node ID's read states and dropped reads (then clears)
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "server/consensus/conf_state.h"
#include "tests/consensus/raft_harness.h"

#ifndef QUOKKA_SCENARIO_DIR
#error "QUOKKA_SCENARIO_DIR must name the directory of the transcripts"
#endif

namespace quokka::testing {
namespace {

using consensus::ConfChange;
using consensus::ConfChangeType;
using consensus::ConfState;

// ---------------------------------------------------------------- parsing

struct Block {
  std::vector<std::string> preamble;  // comments and blank lines before it
  std::string command;
  size_t line = 0;  // of the command, 1-based
  std::string expected;
};

struct Transcript {
  std::vector<Block> blocks;
  std::vector<std::string> epilogue;  // comments after the last block
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

bool is_comment_or_blank(const std::string& line) {
  return line.empty() || line[0] == '#';
}

// Returns an error message, or "" on success.
std::string parse_transcript(const std::string& text, Transcript& out) {
  const std::vector<std::string> lines = split_lines(text);
  std::vector<std::string> pending;
  size_t i = 0;
  while (i < lines.size()) {
    if (is_comment_or_blank(lines[i])) {
      pending.push_back(lines[i]);
      ++i;
      continue;
    }
    Block block;
    block.preamble = std::move(pending);
    pending.clear();
    block.command = lines[i];
    block.line = i + 1;
    ++i;
    if (i >= lines.size() || lines[i] != "----") {
      return fmt::format("line {}: expected '----' after command '{}'", block.line,
                         block.command);
    }
    ++i;
    std::vector<std::string> output;
    while (i < lines.size() && !lines[i].empty()) output.push_back(lines[i++]);
    if (i < lines.size()) ++i;  // the blank line that ends the block
    for (size_t k = 0; k < output.size(); ++k) {
      if (k > 0) block.expected += '\n';
      block.expected += output[k];
    }
    out.blocks.push_back(std::move(block));
  }
  out.epilogue = std::move(pending);
  return "";
}

std::string render_transcript(const Transcript& transcript,
                              const std::vector<std::string>& outputs) {
  std::string text;
  for (size_t b = 0; b < transcript.blocks.size(); ++b) {
    const Block& block = transcript.blocks[b];
    for (const std::string& line : block.preamble) text += line + "\n";
    text += block.command + "\n----\n" + outputs[b] + "\n\n";
  }
  for (const std::string& line : transcript.epilogue) text += line + "\n";
  return text;
}

// ------------------------------------------------------------ interpreter

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

uint64_t parse_number(const std::string& word) {
  if (word.empty() || !std::all_of(word.begin(), word.end(), ::isdigit)) {
    throw ScenarioError(fmt::format("'{}' is not a number", word));
  }
  return std::stoull(word);
}

bool parse_bool(const std::string& word) {
  if (word == "true") return true;
  if (word == "false") return false;
  throw ScenarioError(fmt::format("'{}' is not true or false", word));
}

std::string describe_entry(const LogEntry& entry) {
  if (entry.type == EntryType::kConfChange) {
    auto change = consensus::decode_conf_change(entry.data);
    if (!change.is_ok()) return fmt::format("{}@{} conf <unreadable>", entry.index.value(),
                                           entry.term.value());
    const char* kind = change->type == ConfChangeType::kAddLearner       ? "add-learner"
                       : change->type == ConfChangeType::kPromoteLearner ? "promote"
                                                                         : "remove";
    return fmt::format("{}@{} conf {} {}", entry.index.value(), entry.term.value(), kind,
                       change->node.value());
  }
  if (entry.data.empty()) return fmt::format("{}@{} empty", entry.index.value(),
                                             entry.term.value());
  return fmt::format("{}@{} {}", entry.index.value(), entry.term.value(), entry.data);
}

std::string describe_ids(const std::vector<NodeId>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ' ';
    out += std::to_string(ids[i].value());
  }
  return out + "]";
}

class Interpreter {
 public:
  std::string run(const std::string& line) {
    try {
      return execute(split_words(line));
    } catch (const ScenarioError& error) {
      return fmt::format("error: {}", error.what());
    }
  }

 private:
  TestCluster& cluster() {
    if (!cluster_) throw ScenarioError("no cluster yet; start with add-nodes");
    return *cluster_;
  }

  NodeId node_arg(const std::vector<std::string>& words, size_t at) {
    if (at >= words.size()) throw ScenarioError("missing node id");
    const NodeId id(parse_number(words[at]));
    if (!cluster().has_node(id)) throw ScenarioError(fmt::format("no node {}", id.value()));
    return id;
  }

  NodeId running_arg(const std::vector<std::string>& words, size_t at) {
    const NodeId id = node_arg(words, at);
    if (!cluster().node(id).running()) {
      throw ScenarioError(fmt::format("node {} is crashed", id.value()));
    }
    return id;
  }

  uint64_t count_arg(const std::vector<std::string>& words, size_t at, uint64_t otherwise) {
    return at < words.size() ? parse_number(words[at]) : otherwise;
  }

  std::map<NodeId, std::string> statuses() {
    std::map<NodeId, std::string> out;
    if (!cluster_) return out;
    for (NodeId id : cluster_->ids()) {
      const TestNode& node = cluster_->node(id);
      out[id] = node.running() ? node.raft().describe()
                               : fmt::format("id={} crashed", id.value());
    }
    return out;
  }

  // The command's own lines, then the status of every node it changed and
  // any breach of the ordering rule the harness saw.
  std::string with_changes(std::vector<std::string> lines,
                           const std::map<NodeId, std::string>& before) {
    if (cluster_) cluster_->flush();
    for (const auto& [id, status] : statuses()) {
      auto old = before.find(id);
      if (old == before.end() || old->second != status) lines.push_back(status);
    }
    if (cluster_) {
      const auto violations = cluster_->violations();
      for (size_t i = violations_seen_; i < violations.size(); ++i) {
        lines.push_back("VIOLATION " + violations[i]);
      }
      violations_seen_ = violations.size();
    }
    if (lines.empty()) return "ok";
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) out += '\n';
      out += lines[i];
    }
    return out;
  }

  static std::vector<std::string> describe_all(const std::vector<Delivery>& deliveries) {
    std::vector<std::string> lines;
    for (const Delivery& delivery : deliveries) lines.push_back(describe(delivery));
    if (lines.empty()) lines.push_back("no messages");
    return lines;
  }

  std::string execute(const std::vector<std::string>& words) {
    if (words.empty()) throw ScenarioError("empty command");
    const std::string& verb = words[0];
    const auto before = statuses();
    std::vector<std::string> lines;

    if (verb == "add-nodes") {
      add_nodes(words);
    } else if (verb == "campaign") {
      cluster().campaign(running_arg(words, 1));
    } else if (verb == "tick") {
      cluster().tick(running_arg(words, 1), count_arg(words, 2, 1));
    } else if (verb == "tick-all") {
      cluster().tick_all(count_arg(words, 1, 1));
    } else if (verb == "run") {
      cluster().run_ticks(count_arg(words, 1, 1));
    } else if (verb == "deliver") {
      lines = describe_all(words.size() > 1 ? cluster().deliver_to(node_arg(words, 1))
                                            : cluster().deliver_all());
    } else if (verb == "deliver-type") {
      const auto types = type_args(words);
      lines = describe_all(cluster().deliver_while([&](const consensus::Message& m) {
        return std::find(types.begin(), types.end(), m.type) != types.end();
      }));
    } else if (verb == "deliver-from") {
      lines = describe_all(cluster().deliver_from(node_arg(words, 1)));
    } else if (verb == "drop") {
      lines = describe_all(words.size() > 1 ? cluster().drop_to(node_arg(words, 1))
                                            : cluster().drop());
    } else if (verb == "pending") {
      for (const auto& message : cluster().queued()) {
        lines.push_back(consensus::describe(message));
      }
      if (lines.empty()) lines.push_back("no messages");
      return join(lines);
    } else if (verb == "partition") {
      partition(words);
    } else if (verb == "isolate") {
      cluster().isolate(node_arg(words, 1));
    } else if (verb == "heal") {
      cluster().heal();
    } else if (verb == "propose") {
      if (words.size() < 3) throw ScenarioError("usage: propose ID COMMAND");
      auto result = cluster().propose(running_arg(words, 1), words[2]);
      lines.push_back(result.is_ok() ? fmt::format("index={} term={}",
                                                   result->index.value(),
                                                   result->term.value())
                                     : result.status().to_string());
    } else if (verb == "read-index") {
      if (words.size() < 3) throw ScenarioError("usage: read-index ID CONTEXT");
      const Status status = cluster().read_index(running_arg(words, 1), words[2]);
      if (!status.is_ok()) lines.push_back(status.to_string());
    } else if (verb == "transfer") {
      const Status status =
          cluster().transfer_leadership(running_arg(words, 1), node_arg(words, 2));
      if (!status.is_ok()) lines.push_back(status.to_string());
    } else if (verb == "add-learner" || verb == "promote" || verb == "remove") {
      lines.push_back(conf_change(verb, words));
    } else if (verb == "crash") {
      cluster().crash(running_arg(words, 1));
    } else if (verb == "restart") {
      const NodeId id = node_arg(words, 1);
      if (cluster().node(id).running()) {
        throw ScenarioError(fmt::format("node {} is running", id.value()));
      }
      cluster().restart(id);
    } else if (verb == "compact") {
      const NodeId id = running_arg(words, 1);
      const LogIndex index(count_arg(words, 2, cluster().node(id).applied_index().value()));
      if (index > cluster().node(id).applied_index()) {
        throw ScenarioError(fmt::format("node {} applied only through {}", id.value(),
                                        cluster().node(id).applied_index().value()));
      }
      cluster().node(id).compact(index);
    } else if (verb == "status") {
      cluster().flush();
      std::string text = cluster().status();
      if (!text.empty() && text.back() == '\n') text.pop_back();
      return text;
    } else if (verb == "log") {
      return log(node_arg(words, 1));
    } else if (verb == "applied") {
      return applied(node_arg(words, 1));
    } else if (verb == "reads") {
      return reads(running_arg(words, 1));
    } else {
      throw ScenarioError(fmt::format("unknown command '{}'", verb));
    }
    return with_changes(std::move(lines), before);
  }

  static std::vector<consensus::MessageType> type_args(const std::vector<std::string>& words) {
    std::vector<consensus::MessageType> types;
    for (size_t i = 1; i < words.size(); ++i) {
      bool known = false;
      for (uint8_t t = 1; t <= 13; ++t) {
        const auto type = static_cast<consensus::MessageType>(t);
        if (consensus::message_type_name(type) == words[i]) {
          types.push_back(type);
          known = true;
        }
      }
      if (!known) throw ScenarioError(fmt::format("unknown message type '{}'", words[i]));
    }
    if (types.empty()) throw ScenarioError("usage: deliver-type TYPE...");
    return types;
  }

  static std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) out += '\n';
      out += lines[i];
    }
    return out;
  }

  void add_nodes(const std::vector<std::string>& words) {
    const uint64_t count = count_arg(words, 1, 0);
    if (count == 0) throw ScenarioError("usage: add-nodes N [option=value...]");
    bool pre_vote = true;
    bool check_quorum = true;
    uint64_t append_bytes = 0;
    for (size_t i = 2; i < words.size(); ++i) {
      const size_t equals = words[i].find('=');
      if (equals == std::string::npos) throw ScenarioError("options are name=value");
      const std::string name = words[i].substr(0, equals);
      const std::string value = words[i].substr(equals + 1);
      if (name == "pre-vote") {
        pre_vote = parse_bool(value);
      } else if (name == "check-quorum") {
        check_quorum = parse_bool(value);
      } else if (name == "append-bytes") {
        append_bytes = parse_number(value);
      } else {
        throw ScenarioError(fmt::format("unknown option '{}'", name));
      }
    }
    if (!cluster_) {
      cluster_ = std::make_unique<TestCluster>(
          count, [=](consensus::RaftOptions& options) {
            options.pre_vote = pre_vote;
            options.check_quorum = check_quorum;
            if (append_bytes > 0) options.append_bytes_max = append_bytes;
          });
      return;
    }
    const uint64_t next = cluster_->ids().back().value() + 1;
    for (uint64_t id = next; id < next + count; ++id) cluster_->add_node(NodeId(id));
  }

  void partition(const std::vector<std::string>& words) {
    std::vector<std::vector<NodeId>> groups(1);
    for (size_t i = 1; i < words.size(); ++i) {
      if (words[i] == "|") {
        groups.emplace_back();
      } else {
        groups.back().push_back(node_arg(words, i));
      }
    }
    cluster().partition(groups);
  }

  std::string conf_change(const std::string& verb, const std::vector<std::string>& words) {
    const NodeId leader = running_arg(words, 1);
    if (words.size() < 3) throw ScenarioError(fmt::format("usage: {} LEADER ID", verb));
    const NodeId target(parse_number(words[2]));
    ConfChange change;
    change.node = target;
    if (verb == "add-learner") {
      change.type = ConfChangeType::kAddLearner;
      if (!cluster().has_node(target)) cluster().add_node(target);
    } else if (verb == "promote") {
      change.type = ConfChangeType::kPromoteLearner;
    } else {
      change.type = ConfChangeType::kRemoveMember;
    }
    auto result = cluster().propose_conf_change(leader, change);
    return result.is_ok() ? fmt::format("index={} term={}", result->index.value(),
                                        result->term.value())
                          : result.status().to_string();
  }

  std::string log(NodeId id) {
    cluster().flush();
    const TestNode& node = cluster().node(id);
    const auto& storage = node.storage();
    const HardState hard = storage.hard_state();
    std::vector<std::string> lines;
    lines.push_back(fmt::format("hard-state term={} vote={} commit={}", hard.term.value(),
                                hard.vote.value(), hard.commit.value()));
    auto snapshot = storage.snapshot();
    const ConfState conf = storage.snapshot_conf_state();
    if (snapshot.is_ok() && !snapshot->empty()) {
      lines.push_back(fmt::format("snapshot {}@{} voters={} learners={}",
                                  snapshot->metadata.last.index.value(),
                                  snapshot->metadata.last.term.value(),
                                  describe_ids(conf.voters), describe_ids(conf.learners)));
    }
    for (const LogEntry& entry : node.persisted_entries()) {
      lines.push_back(describe_entry(entry));
    }
    if (node.running()) {
      const ConfState& now = node.raft().conf_state();
      lines.push_back(fmt::format("conf voters={} learners={}", describe_ids(now.voters),
                                  describe_ids(now.learners)));
    }
    return join(lines);
  }

  std::string applied(NodeId id) {
    cluster().flush();
    const TestNode& node = cluster().node(id);
    std::vector<std::string> lines;
    lines.push_back(fmt::format("applied={}", node.applied_index().value()));
    for (const auto& [index, command] : node.applied_commands()) {
      lines.push_back(fmt::format("{}: {}", index.value(), command));
    }
    return join(lines);
  }

  std::string reads(NodeId id) {
    cluster().flush();
    TestNode& node = cluster().node(id);
    std::vector<std::string> lines;
    for (const auto& read : node.read_states()) {
      lines.push_back(fmt::format("read {} index={}", read.context, read.index.value()));
    }
    for (const auto& context : node.dropped_reads()) {
      lines.push_back(fmt::format("dropped {}", context));
    }
    node.clear_reads();
    if (lines.empty()) lines.push_back("no reads");
    return join(lines);
  }

  std::unique_ptr<TestCluster> cluster_;
  size_t violations_seen_ = 0;
};

// ------------------------------------------------------------------ tests

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(QUOKKA_SCENARIO_DIR)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string test_name(const std::string& path) {
  std::string name = std::filesystem::path(path).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, OutputMatchesTheTranscript) {
  const std::string path = GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  Transcript transcript;
  const std::string error = parse_transcript(text.str(), transcript);
  ASSERT_EQ(error, "") << path;

  Interpreter interpreter;
  std::vector<std::string> outputs;
  for (const Block& block : transcript.blocks) {
    outputs.push_back(interpreter.run(block.command));
  }

  const char* rewrite = std::getenv("QUOKKA_REWRITE_SCENARIOS");
  if (rewrite != nullptr && std::string(rewrite) == "1") {
    std::ofstream out(path, std::ios::trunc);
    out << render_transcript(transcript, outputs);
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  for (size_t b = 0; b < transcript.blocks.size(); ++b) {
    const Block& block = transcript.blocks[b];
    EXPECT_EQ(outputs[b], block.expected)
        << std::filesystem::path(path).filename().string() << ":" << block.line << ": "
        << block.command;
  }
}

INSTANTIATE_TEST_SUITE_P(Transcripts, ScenarioTest, ::testing::ValuesIn(scenario_files()),
                         [](const auto& info) { return test_name(info.param); });

// The runner's own parser, so that a transcript cannot pass by being read
// wrongly.
TEST(ScenarioParserTest, ReadsCommandsOutputsAndComments) {
  Transcript transcript;
  ASSERT_EQ(parse_transcript("# intro\n\nstatus\n----\na\nb\n\n# mid\nheal\n----\nok\n",
                             transcript),
            "");
  ASSERT_EQ(transcript.blocks.size(), 2u);
  EXPECT_EQ(transcript.blocks[0].command, "status");
  EXPECT_EQ(transcript.blocks[0].expected, "a\nb");
  EXPECT_EQ(transcript.blocks[0].line, 3u);
  EXPECT_EQ(transcript.blocks[1].preamble, (std::vector<std::string>{"# mid"}));
  EXPECT_EQ(transcript.blocks[1].expected, "ok");
  EXPECT_EQ(render_transcript(transcript, {"a\nb", "ok"}),
            "# intro\n\nstatus\n----\na\nb\n\n# mid\nheal\n----\nok\n\n");
}

TEST(ScenarioParserTest, RejectsACommandWithoutSeparator) {
  Transcript transcript;
  EXPECT_NE(parse_transcript("status\nheal\n", transcript), "");
}

}  // namespace
}  // namespace quokka::testing

// Runs the frame decoder fuzz body in the ordinary build: over the checked-in
// seed corpus, over seeded random inputs and over seeded mutations of the
// seeds. The libFuzzer target explores further; this keeps the same checks
// in every build, fast and deterministic.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/fuzz/frame_decoder_fuzz_body.h"

namespace quokka::fuzz {
namespace {

using Input = std::vector<uint8_t>;

std::vector<std::pair<std::string, Input>> read_corpus() {
  std::vector<std::pair<std::string, Input>> corpus;
  for (const auto& entry :
       std::filesystem::directory_iterator(QUOKKA_FRAME_DECODER_CORPUS_DIR)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    Input bytes((std::istreambuf_iterator<char>(file)),
                std::istreambuf_iterator<char>());
    corpus.emplace_back(entry.path().filename().string(), std::move(bytes));
  }
  std::sort(corpus.begin(), corpus.end());
  return corpus;
}

std::string hex(const Input& input) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : input) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xF]);
  }
  return text;
}

// A seed corpus that stopped reaching an outcome would make the fuzzer start
// blind there, so the seeds must cover clean streams and every error.
TEST(FrameDecoderFuzzTest, SeedCorpusHoldsAndReachesEveryOutcome) {
  const auto corpus = read_corpus();
  ASSERT_GE(corpus.size(), 10u) << "corpus missing from "
                                << QUOKKA_FRAME_DECODER_CORPUS_DIR;
  std::set<ErrorCode> codes;
  size_t most_frames = 0;
  for (const auto& [name, input] : corpus) {
    const FrameDecoderCaseOutcome outcome = run_frame_decoder_case(input);
    EXPECT_EQ(outcome.violation, "") << "seed " << name;
    codes.insert(outcome.error_code);
    most_frames = std::max(most_frames, outcome.frames_decoded);
  }
  EXPECT_EQ(codes, (std::set<ErrorCode>{
                       ErrorCode::kOk, ErrorCode::kTooLarge,
                       ErrorCode::kUnsupportedVersion,
                       ErrorCode::kInvalidArgument}));
  EXPECT_GE(most_frames, 3u);
}

TEST(FrameDecoderFuzzTest, RandomInputsHold) {
  constexpr uint64_t kSeed = 0x5EED0001;
  std::mt19937_64 random(kSeed);
  for (int round = 0; round < 3000; ++round) {
    Input input(random() % 300);
    for (uint8_t& byte : input) byte = static_cast<uint8_t>(random());
    const FrameDecoderCaseOutcome outcome = run_frame_decoder_case(input);
    ASSERT_EQ(outcome.violation, "")
        << "seed " << kSeed << " round " << round << " input " << hex(input);
  }
}

// Random bytes rarely get past the header checks; mutated seeds reach the
// envelope parser and the multi-frame paths.
TEST(FrameDecoderFuzzTest, MutatedSeedsHold) {
  constexpr uint64_t kSeed = 0x5EED0002;
  std::mt19937_64 random(kSeed);
  const auto corpus = read_corpus();
  ASSERT_FALSE(corpus.empty());
  size_t decoded = 0;
  for (int round = 0; round < 3000; ++round) {
    Input input = corpus[random() % corpus.size()].second;
    const int mutations = 1 + static_cast<int>(random() % 4);
    for (int m = 0; m < mutations && !input.empty(); ++m) {
      const size_t at = random() % input.size();
      switch (random() % 4) {
        case 0: input[at] ^= static_cast<uint8_t>(1u << (random() % 8)); break;
        case 1: input[at] = static_cast<uint8_t>(random()); break;
        case 2: input.insert(input.begin() + static_cast<long>(at),
                             static_cast<uint8_t>(random()));
                break;
        case 3: input.resize(at + 1); break;
      }
    }
    const FrameDecoderCaseOutcome outcome = run_frame_decoder_case(input);
    ASSERT_EQ(outcome.violation, "")
        << "seed " << kSeed << " round " << round << " input " << hex(input);
    decoded += outcome.frames_decoded;
  }
  EXPECT_GT(decoded, 100u) << "mutations never reached a decoded frame";
}

}  // namespace
}  // namespace quokka::fuzz

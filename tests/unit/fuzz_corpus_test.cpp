#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/targets.hpp"

namespace pushsync::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class FuzzCorpus : public testing::TestWithParam<Target> {};

// Every input kept in fuzz/corpus/<target> (the seeds, and what fuzzing
// found) runs through its target again: a crash, an escaped exception or a
// broken promise fails the test, naming the file.
TEST_P(FuzzCorpus, EveryKeptInputIsHandledWithoutAFinding) {
  const fs::path folder = fs::path(PUSHSYNC_SOURCE_DIR) / "fuzz" / "corpus" / std::string(GetParam().name);
  ASSERT_TRUE(fs::is_directory(folder)) << folder;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 5u) << "a corpus starts from seeds";
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    std::fprintf(stderr, "%s\n", file.c_str());  // named before a crash could end the test
    auto input = bytes_of(file);
    EXPECT_NO_THROW(GetParam().run(input));
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpus, testing::ValuesIn(targets),
                         [](const testing::TestParamInfo<Target>& target) { return std::string(target.param.name); });

}  // namespace
}  // namespace pushsync::fuzz

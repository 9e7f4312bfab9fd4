// Entry point of the property tests: QUOKKA_PROPERTY_CASES becomes
// RapidCheck's max_success unless RC_PARAMS already says otherwise.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  const char* cases = std::getenv("QUOKKA_PROPERTY_CASES");
  const char* params = std::getenv("RC_PARAMS");
  std::string merged = params != nullptr ? params : "";
  if (cases != nullptr && merged.find("max_success") == std::string::npos) {
    if (!merged.empty()) merged += " ";
    merged += "max_success=" + std::string(cases);
    setenv("RC_PARAMS", merged.c_str(), 1);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

# Scenario transcripts: every testdata/*.txt file is a script of commands to
# an in-process cluster, each followed by its expected output. Set
# QUOKKA_REWRITE_SCENARIOS=1 to rewrite the files with the actual output
# (on purpose only; review the diff).
quokka_test(NAME raft_scenario_test LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scenario_runner.cc
  LIBRARIES quokka_raft_harness quokka_consensus)
target_compile_definitions(raft_scenario_test PRIVATE
  QUOKKA_SCENARIO_DIR="${CMAKE_CURRENT_LIST_DIR}/testdata")

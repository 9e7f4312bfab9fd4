# The consensus test harness: an in-process cluster of Raft nodes over
# in-memory logs, with a message queue the test controls. The unit tests,
# the scenario transcripts and the property test all build on it.
add_library(quokka_raft_harness STATIC
  ${CMAKE_CURRENT_LIST_DIR}/raft_harness.cc
)
target_include_directories(quokka_raft_harness PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(quokka_raft_harness
  PUBLIC quokka_consensus quokka_common
  PRIVATE quokka_warnings)

# Unit tests of the consensus core, each pinned to a rule of the Raft paper
# or thesis.
quokka_test(NAME raft_unit_test LABEL unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/raft_election_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_replication_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_leadership_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_membership_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_snapshot_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_read_index_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_proposal_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_lamport_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/raft_persistence_test.cc
  LIBRARIES quokka_raft_harness quokka_consensus)

# The consensus property test: seeded random schedules over a simulated
# cluster with Raft's safety properties checked after every step, and the
# negative controls that prove the checker finds injected faults.
# QUOKKA_RAFT_SCHEDULES / QUOKKA_RAFT_SEED choose the schedules (see
# property/raft_property_test.cc).
quokka_test(NAME raft_property_test LABEL property TIMEOUT 300
  SOURCES
    property/crash_report.cc
    property/fault_network.cc
    property/property_checker.cc
    property/raft_property_test.cc
    property/schedule_profile.cc
    property/schedule_runner.cc
    property/simulated_node.cc
  LIBRARIES quokka_consensus)

# Tests of the config library.
quokka_test(NAME config_test LABEL unit
  SOURCES
    config_defaults_test.cc
    config_docs_test.cc
    config_examples_test.cc
    config_forward_writes_test.cc
    config_host_port_test.cc
    config_override_test.cc
    config_parse_errors_test.cc
    config_validation_test.cc
  LIBRARIES quokka_config)
# The examples, test data and reference page are read from the source tree.
target_compile_definitions(config_test PRIVATE
  QUOKKA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

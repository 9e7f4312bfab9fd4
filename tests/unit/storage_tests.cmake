# Tests of the storage library, each run against RocksDB and the in-memory twin.
quokka_test(NAME storage_test LABEL unit
  SOURCES
    storage_blob_test.cc
    storage_crash_test.cc
    storage_format_test.cc
    storage_log_test.cc
    storage_node_record_test.cc
    storage_pointer_test.cc
    storage_snapshot_test.cc
    storage_stats_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# The terms of the log's entries, kept in memory as runs.
quokka_test(NAME log_terms_test LABEL unit
  SOURCES log_terms_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# Walking the log's entries in pages, at open and for replication.
quokka_test(NAME log_walk_test LABEL unit
  SOURCES log_walk_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# RocksDB's own behaviour under quokka's options.
quokka_test(NAME rocksdb_value_collection_test LABEL unit
  SOURCES rocksdb_value_collection_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# Large values in files of their own, under RocksDB's records of them.
quokka_test(NAME rocksdb_value_files_test LABEL unit
  SOURCES rocksdb_value_files_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# The spaces keyed by value ids keep hashed memtables: reads in key order
# still see every key, in memory and on disk.
quokka_test(NAME rocksdb_unordered_memtable_test LABEL unit
  SOURCES rocksdb_unordered_memtable_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# The spaces a write looks up absent keys in keep bloom filters in their
# files.
quokka_test(NAME rocksdb_filter_test LABEL unit
  SOURCES rocksdb_filter_test.cc
  LIBRARIES quokka_storage quokka_test_support)

# Tests of the storage library.

# Tests of the config library.

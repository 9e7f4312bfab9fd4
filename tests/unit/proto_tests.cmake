# Tests of the proto library.

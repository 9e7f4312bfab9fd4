# Tests of the proto library: messages, error-code mapping, frame codec.
quokka_test(NAME proto_test LABEL unit
  SOURCES
    proto_error_code_test.cc
    proto_messages_test.cc
  LIBRARIES quokka_proto)

quokka_test(NAME frame_codec_test LABEL unit
  SOURCES
    frame_encoder_test.cc
    frame_decoder_test.cc
  LIBRARIES quokka_frame)

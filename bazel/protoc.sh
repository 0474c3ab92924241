#!/bin/sh
# Runs Debian's protoc with its gRPC C++ plugin; the well-known types come from /usr/include.
exec /usr/bin/protoc --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin "$@"

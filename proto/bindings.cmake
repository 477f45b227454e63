# Client bindings for partner apps and court systems (docs/integrations.md). Not part of the
# default build: `cmake --build BUILD --target odr_bindings` generates, from every file of
# ODR_PROTOS, into BUILD/bindings/:
#   cpp/     messages (.pb.h/.pb.cc) and gRPC stubs (.grpc.pb.h/.grpc.pb.cc): grpc_cpp_plugin
#   python/  odr/v1/*_pb2.py and *_pb2_grpc.py: grpc_python_plugin (Debian python3-grpcio,
#            python3-protobuf at runtime)
#   php/     Odr/V1/*.php and GPBMetadata/: grpc_php_plugin
#   ruby/    odr/v1/*_pb.rb and *_services_pb.rb: grpc_ruby_plugin
#   node/    TypeScript types for @grpc/grpc-js + @grpc/proto-loader (which loads the .proto files
#            at runtime): proto-loader-gen-types from tools/node (tools/install-deps)
# Each language is regenerated from scratch when a proto changes. A missing generator fails the
# target with what to install; nothing is skipped silently.
# Included at the end of proto/CMakeLists.txt, which defines ODR_PROTOS and GRPC_CPP_PLUGIN.

set(ODR_BINDINGS_DIR ${CMAKE_BINARY_DIR}/bindings)
set(_stamps_dir ${CMAKE_CURRENT_BINARY_DIR}/bindings-stamps)

# The well-known types (google/protobuf/*.proto) live beside protobuf's headers.
set(_wkt_include ${Protobuf_INCLUDE_DIR})
if(NOT _wkt_include)
  get_target_property(_wkt_include protobuf::libprotobuf INTERFACE_INCLUDE_DIRECTORIES)
endif()
if(NOT _wkt_include)
  set(_wkt_include /usr/include)
endif()
list(GET _wkt_include 0 _wkt_include)

find_program(ODR_GRPC_PYTHON_PLUGIN grpc_python_plugin)
find_program(ODR_GRPC_PHP_PLUGIN grpc_php_plugin)
find_program(ODR_GRPC_RUBY_PLUGIN grpc_ruby_plugin)
find_program(ODR_NODE node)
# Only the version pinned in tools/node/package.json, so the types match the runtime library.
find_program(ODR_PROTO_LOADER_GEN_TYPES proto-loader-gen-types
  PATHS ${PROJECT_SOURCE_DIR}/tools/node/node_modules/.bin NO_DEFAULT_PATH)

set(_proto_inputs)
foreach(proto ${ODR_PROTOS})
  list(APPEND _proto_inputs ${CMAKE_CURRENT_SOURCE_DIR}/${proto})
endforeach()

# Sets `out` to COMMAND lines that fail the build saying `message` if `tool` was not found, and to
# nothing otherwise.
function(_odr_bindings_require out tool message)
  if(${tool})
    set(${out} "" PARENT_SCOPE)
  else()
    set(${out}
      COMMAND ${CMAKE_COMMAND} -E echo "odr_bindings: ${message}, then re-run cmake"
      COMMAND ${CMAKE_COMMAND} -E false
      PARENT_SCOPE)
  endif()
endfunction()

# Generates the bindings of `lang` into ODR_BINDINGS_DIR/<lang> by running the COMMAND lines in
# ARGN there (after the checks in the variable named by `checks`), and appends its stamp file to
# _binding_stamps.
set(_binding_stamps)
macro(_odr_bindings lang checks)
  set(_out ${ODR_BINDINGS_DIR}/${lang})
  add_custom_command(
    OUTPUT ${_stamps_dir}/${lang}.stamp
    ${${checks}}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${_out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_out}
    ${ARGN}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_stamps_dir}
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamps_dir}/${lang}.stamp
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    DEPENDS ${_proto_inputs}
    COMMENT "odr_bindings: ${lang}"
    VERBATIM)
  list(APPEND _binding_stamps ${_stamps_dir}/${lang}.stamp)
endmacro()

set(_protoc protobuf::protoc --proto_path=${CMAKE_CURRENT_SOURCE_DIR} --proto_path=${_wkt_include})
set(_install_grpc_plugins "install protobuf-compiler-grpc (tools/install-deps)")

set(_no_checks "")
_odr_bindings(cpp _no_checks
  COMMAND ${_protoc} --cpp_out=${ODR_BINDINGS_DIR}/cpp --grpc_out=${ODR_BINDINGS_DIR}/cpp
    --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN} ${ODR_PROTOS})

_odr_bindings_require(_python_checks ODR_GRPC_PYTHON_PLUGIN
  "grpc_python_plugin not found: ${_install_grpc_plugins}")
_odr_bindings(python _python_checks
  COMMAND ${_protoc} --python_out=${ODR_BINDINGS_DIR}/python
    --grpc_python_out=${ODR_BINDINGS_DIR}/python
    --plugin=protoc-gen-grpc_python=${ODR_GRPC_PYTHON_PLUGIN} ${ODR_PROTOS})

_odr_bindings_require(_php_checks ODR_GRPC_PHP_PLUGIN
  "grpc_php_plugin not found: ${_install_grpc_plugins}")
_odr_bindings(php _php_checks
  COMMAND ${_protoc} --php_out=${ODR_BINDINGS_DIR}/php --grpc_php_out=${ODR_BINDINGS_DIR}/php
    --plugin=protoc-gen-grpc_php=${ODR_GRPC_PHP_PLUGIN} ${ODR_PROTOS})

_odr_bindings_require(_ruby_checks ODR_GRPC_RUBY_PLUGIN
  "grpc_ruby_plugin not found: ${_install_grpc_plugins}")
_odr_bindings(ruby _ruby_checks
  COMMAND ${_protoc} --ruby_out=${ODR_BINDINGS_DIR}/ruby --grpc_ruby_out=${ODR_BINDINGS_DIR}/ruby
    --plugin=protoc-gen-grpc_ruby=${ODR_GRPC_RUBY_PLUGIN} ${ODR_PROTOS})

# The loader options the types describe; a Node client passes the same ones to
# protoLoader.loadSync (client/examples/partner_app/partner_app.js does). proto-loader brings its
# own copy of the well-known types.
_odr_bindings_require(_node_checks ODR_NODE "node not found: install nodejs (tools/install-deps)")
_odr_bindings_require(_gen_types_checks ODR_PROTO_LOADER_GEN_TYPES
  "tools/node/node_modules/.bin/proto-loader-gen-types not found: run tools/install-deps")
list(APPEND _node_checks ${_gen_types_checks})
_odr_bindings(node _node_checks
  COMMAND ${ODR_NODE} ${ODR_PROTO_LOADER_GEN_TYPES} --grpcLib=@grpc/grpc-js
    --longs=String --enums=String --defaults --oneofs --includeComments
    -I ${CMAKE_CURRENT_SOURCE_DIR} -O ${ODR_BINDINGS_DIR}/node ${ODR_PROTOS})

add_custom_target(odr_bindings DEPENDS ${_binding_stamps}
  COMMENT "odr_bindings: ${ODR_BINDINGS_DIR}/{cpp,python,php,ruby,node}")

/// The OpenAPI 3.1 description of the API, served at `GET /v1/openapi.json`. A test checks
/// that its paths and methods are exactly the router's routes.
enum OpenAPIDocument {
    static let bytes: [UInt8] = Array(text.utf8)

    static let text = #"""
{
  "openapi": "3.1.0",
  "info": {"title": "Paddock API", "version": "1.0.0",
           "description": "Self-hosted environments and sessions for AI agents. Every /v1 route except openapi.json needs an API key."},
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "security": [{"bearer": []}, {"apiKey": []}],
  "paths": {
    "/healthz": {"get": {"summary": "Liveness: ok once the store is open", "security": [],
      "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics (loopback clients only by default)", "security": [],
      "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
                    "403": {"$ref": "#/components/responses/Error"}}}},
    "/v1/openapi.json": {"get": {"summary": "This document", "security": [],
      "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/v1/accounts": {"post": {"summary": "Create an account, its default environment and its first key (admin only)",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AccountCreate"}}}},
      "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AccountCreated"}}}},
                    "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                    "403": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                    "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}}}},
    "/v1/accounts/me": {"get": {"summary": "The caller's account",
      "responses": {"200": {"description": "account", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Account"}}}},
                    "401": {"$ref": "#/components/responses/Error"}}}},
    "/v1/api_keys": {
      "get": {"summary": "The caller's API keys",
        "responses": {"200": {"description": "keys", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIKeyList"}}}},
                      "401": {"$ref": "#/components/responses/Error"}}},
      "post": {"summary": "Create an API key for the caller's account",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIKeyCreate"}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIKeyCreated"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}}}},
    "/v1/api_keys/{id}": {
      "delete": {"summary": "Delete one of the caller's keys (not the last one)",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "deleted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Deleted"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
                      "409": {"$ref": "#/components/responses/Error"}}}},
    "/v1/environments": {
      "get": {"summary": "List environments, newest first",
        "parameters": [
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
          {"name": "after_id", "in": "query", "schema": {"type": "string"}},
          {"name": "before_id", "in": "query", "schema": {"type": "string"}},
          {"name": "name", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentList"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}},
      "post": {"summary": "Create an environment",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentCreate"}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Environment"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
                      "415": {"$ref": "#/components/responses/Error"}}}},
    "/v1/environments/{id}": {
      "get": {"summary": "One environment", "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "the environment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Environment"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
      "post": {"summary": "Update an environment: only the fields present change", "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentUpdate"}}}},
        "responses": {"200": {"description": "updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Environment"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}}},
      "patch": {"summary": "Update an environment (same as POST)", "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentUpdate"}}}},
        "responses": {"200": {"description": "updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Environment"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}}},
      "delete": {"summary": "Delete an environment (not the default one)", "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "deleted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Deleted"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}}}},
    "/v1/sessions": {
      "get": {"summary": "List sessions, newest first",
        "parameters": [
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
          {"name": "after_id", "in": "query", "schema": {"type": "string"}},
          {"name": "before_id", "in": "query", "schema": {"type": "string"}},
          {"name": "status", "in": "query", "schema": {"enum": ["provisioning", "running", "failed", "terminated"]}},
          {"name": "environment_id", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionList"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}},
      "post": {"summary": "Create a session of an environment (async, or with wait: true once running or failed)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionCreate"}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
                      "415": {"$ref": "#/components/responses/Error"}}}},
    "/v1/sessions/{id}": {
      "get": {"summary": "One session", "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "the session", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
      "delete": {"summary": "Terminate a session and free everything it held (idempotent)", "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "the terminated session", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
    "/v1/sessions/{id}/logs": {
      "get": {"summary": "The provisioning log; follow=true streams it until provisioning ends",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"name": "follow", "in": "query", "schema": {"type": "boolean"}}],
        "responses": {"200": {"description": "the log", "content": {"text/plain": {"schema": {"type": "string"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}}}},
    "/v1/sessions/{id}/exec": {
      "post": {"summary": "Run a command in a running session; accept: application/x-ndjson streams events",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecRequest"}}}},
        "responses": {"200": {"description": "the result (or NDJSON events)", "content": {
                          "application/json": {"schema": {"$ref": "#/components/schemas/ExecResult"}},
                          "application/x-ndjson": {"schema": {"type": "string"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}}}},
    "/v1/sessions/{id}/files": {
      "get": {"summary": "Read a file inside the session (raw bytes), or list a directory with list=true",
        "parameters": [{"$ref": "#/components/parameters/Id"},
          {"name": "path", "in": "query", "required": true, "schema": {"type": "string"}},
          {"name": "list", "in": "query", "schema": {"type": "boolean"}}],
        "responses": {"200": {"description": "the file or the listing", "content": {
                          "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                          "application/json": {"schema": {"$ref": "#/components/schemas/DirectoryListing"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"}}},
      "put": {"summary": "Write the raw body to a file inside the session (parents created)",
        "parameters": [{"$ref": "#/components/parameters/Id"},
          {"name": "path", "in": "query", "required": true, "schema": {"type": "string"}},
          {"name": "mode", "in": "query", "schema": {"type": "string", "pattern": "^[0-7]{1,5}$"}}],
        "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "responses": {"200": {"description": "written", "content": {"application/json": {"schema": {"type": "object", "properties": {
                          "type": {"const": "file"}, "path": {"type": "string"}, "size": {"type": "integer"}}}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"}}}},
    "/v1/sessions/{id}/egress": {
      "get": {"summary": "The session's network audit log, oldest first; page on with after_id = last_id",
        "parameters": [{"$ref": "#/components/parameters/Id"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
          {"name": "after_id", "in": "query", "schema": {"type": "integer", "minimum": 0}},
          {"name": "decision", "in": "query", "schema": {"enum": ["allowed", "denied"]}}],
        "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EgressEventList"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "404": {"$ref": "#/components/responses/Error"}}}},
    "/v1/network/presets": {
      "get": {"summary": "The known-safe and package-manager host lists of limited policies",
        "responses": {"200": {"description": "the presets", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NetworkPresets"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
    "/v1/images": {
      "get": {"summary": "The image cache: base image and package layers (admin only)",
        "responses": {"200": {"description": "the cache", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}},
    "/v1/images/prune": {
      "post": {"summary": "Remove least recently used layers not in use until the cache fits keep_bytes (admin only)",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
                          "properties": {"keep_bytes": {"type": "integer", "minimum": 0}}}}}},
        "responses": {"200": {"description": "what was removed", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "403": {"$ref": "#/components/responses/Error"}}}},
    "/v1/images/build": {
      "post": {"summary": "Build the base image now if it is not built (admin only)",
        "responses": {"200": {"description": "the base image", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
                      "500": {"$ref": "#/components/responses/Error"}}}}
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer"},
      "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
    "parameters": {"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
    "responses": {"Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    "schemas": {
      "Error": {"type": "object", "required": ["type", "error", "request_id"], "properties": {
        "type": {"const": "error"}, "request_id": {"type": "string"},
        "error": {"type": "object", "required": ["type", "message"], "properties": {
          "type": {"enum": ["invalid_request_error", "authentication_error", "permission_error", "not_found_error",
                            "conflict_error", "request_too_large", "api_error", "overloaded_error"]},
          "message": {"type": "string"}, "param": {"type": "string"}}}}},
      "Host": {"type": "string", "minLength": 1, "maxLength": 256,
               "description": "host name, *.wildcard, host:port, IP literal or CIDR; normalised on write"},
      "Networking": {"oneOf": [
        {"const": "unrestricted"},
        {"type": "object", "additionalProperties": false, "required": ["type"], "properties": {"type": {"const": "unrestricted"}}},
        {"type": "object", "additionalProperties": false, "required": ["type"], "properties": {
          "type": {"const": "limited"}, "allow_package_managers": {"type": "boolean", "default": false},
          "allowed_hosts": {"type": "array", "maxItems": 256, "items": {"$ref": "#/components/schemas/Host"}}}},
        {"type": "object", "additionalProperties": false, "required": ["type", "domains"], "properties": {
          "type": {"const": "allowlist"},
          "domains": {"type": "array", "maxItems": 256, "items": {"$ref": "#/components/schemas/Host"}}}}]},
      "Packages": {"type": "object", "additionalProperties": false, "properties": {
        "apt": {"type": "array", "maxItems": 256, "items": {"type": "string", "maxLength": 256}},
        "pip": {"type": "array", "maxItems": 256, "items": {"type": "string", "maxLength": 256}},
        "npm": {"type": "array", "maxItems": 256, "items": {"type": "string", "maxLength": 256}}}},
      "Config": {"type": "object", "additionalProperties": false, "required": ["type"], "properties": {
        "type": {"const": "cloud"}, "networking": {"$ref": "#/components/schemas/Networking"},
        "packages": {"$ref": "#/components/schemas/Packages"},
        "setup_script": {"type": ["string", "null"], "maxLength": 10000}}},
      "ConfigUpdate": {"type": "object", "additionalProperties": false, "properties": {
        "type": {"const": "cloud"}, "networking": {"$ref": "#/components/schemas/Networking"},
        "packages": {"$ref": "#/components/schemas/Packages"},
        "setup_script": {"type": ["string", "null"], "maxLength": 10000}}},
      "Metadata": {"type": "object", "maxProperties": 16, "additionalProperties": {"type": "string", "maxLength": 512}},
      "MetadataPatch": {"type": "object", "maxProperties": 16, "additionalProperties": {"type": ["string", "null"], "maxLength": 512}},
      "EnvironmentCreate": {"type": "object", "additionalProperties": false, "required": ["name", "config"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 256},
        "description": {"type": ["string", "null"], "maxLength": 2048},
        "config": {"$ref": "#/components/schemas/Config"},
        "metadata": {"$ref": "#/components/schemas/Metadata"}}},
      "EnvironmentUpdate": {"type": "object", "additionalProperties": false, "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 256},
        "description": {"type": ["string", "null"], "maxLength": 2048},
        "config": {"$ref": "#/components/schemas/ConfigUpdate"},
        "metadata": {"$ref": "#/components/schemas/MetadataPatch"}}},
      "Environment": {"type": "object", "required": ["id", "type", "name", "description", "config", "metadata", "status", "created_at", "updated_at"],
        "properties": {
          "id": {"type": "string"}, "type": {"const": "environment"}, "name": {"type": "string"},
          "description": {"type": ["string", "null"]}, "config": {"type": "object"}, "metadata": {"type": "object"},
          "status": {"const": "ready"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}},
      "EnvironmentList": {"type": "object", "required": ["data", "has_more", "first_id", "last_id"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Environment"}}, "has_more": {"type": "boolean"},
        "first_id": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}}},
      "Deleted": {"type": "object", "required": ["id", "type"], "properties": {"id": {"type": "string"}, "type": {"type": "string"}}},
      "Account": {"type": "object", "required": ["id", "type", "name", "is_admin", "created_at"], "properties": {
        "id": {"type": "string"}, "type": {"const": "account"}, "name": {"type": "string"},
        "is_admin": {"type": "boolean"}, "created_at": {"type": "string"}}},
      "AccountCreate": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 256}}},
      "AccountCreated": {"type": "object", "required": ["account", "api_key"], "properties": {
        "account": {"$ref": "#/components/schemas/Account"}, "api_key": {"type": "string"}}},
      "APIKey": {"type": "object", "required": ["id", "type", "name", "prefix", "created_at"], "properties": {
        "id": {"type": "string"}, "type": {"const": "api_key"}, "name": {"type": ["string", "null"]},
        "prefix": {"type": "string"}, "created_at": {"type": "string"}}},
      "APIKeyCreate": {"type": "object", "additionalProperties": false, "properties": {
        "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 256}}},
      "APIKeyCreated": {"type": "object", "required": ["api_key", "key"], "properties": {
        "api_key": {"$ref": "#/components/schemas/APIKey"}, "key": {"type": "string"}}},
      "APIKeyList": {"type": "object", "required": ["data", "has_more"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/APIKey"}}, "has_more": {"type": "boolean"},
        "first_id": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}}},
      "StringMap": {"type": "object", "maxProperties": 128, "additionalProperties": {"type": "string", "maxLength": 32768}},
      "SessionCreate": {"type": "object", "additionalProperties": false, "properties": {
        "environment_id": {"type": "string"}, "environment": {"type": "string"},
        "resources": {"type": "object", "additionalProperties": false, "properties": {
          "cpus": {"type": "number", "minimum": 0.05, "maximum": 64}, "memory_mb": {"type": "integer", "minimum": 64, "maximum": 65536},
          "pids": {"type": "integer", "minimum": 32, "maximum": 32768}, "disk_mb": {"type": "integer", "minimum": 64, "maximum": 102400}}},
        "env": {"$ref": "#/components/schemas/StringMap"},
        "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 86400, "default": 3600},
        "idle_timeout_seconds": {"type": "integer", "minimum": 0, "maximum": 86400, "default": 900},
        "metadata": {"$ref": "#/components/schemas/Metadata"}, "wait": {"type": "boolean", "default": false}}},
      "Session": {"type": "object", "required": ["id", "type", "environment_id", "environment", "status", "error", "termination_reason",
                    "resources", "env", "timeout_seconds", "idle_timeout_seconds", "metadata", "provisioning", "created_at", "started_at", "ended_at"],
        "properties": {
          "id": {"type": "string"}, "type": {"const": "session"}, "environment_id": {"type": "string"},
          "environment": {"type": "object", "properties": {"name": {"type": "string"}, "config": {"type": "object"}}},
          "status": {"enum": ["provisioning", "running", "failed", "terminated"]},
          "error": {"type": ["object", "null"], "properties": {"type": {"type": "string"}, "message": {"type": "string"}}},
          "termination_reason": {"enum": ["deleted", "timeout", "idle", "oom", "error", null]},
          "resources": {"type": "object"}, "env": {"type": "object"}, "timeout_seconds": {"type": "integer"},
          "idle_timeout_seconds": {"type": "integer"}, "metadata": {"type": "object"},
          "provisioning": {"type": "object", "properties": {"steps": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "status": {"enum": ["running", "cached", "built", "failed"]}, "duration_ms": {"type": "integer"}}}}}},
          "created_at": {"type": "string"}, "started_at": {"type": ["string", "null"]}, "ended_at": {"type": ["string", "null"]}}},
      "SessionList": {"type": "object", "required": ["data", "has_more", "first_id", "last_id"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}}, "has_more": {"type": "boolean"},
        "first_id": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}}},
      "ExecRequest": {"type": "object", "additionalProperties": false, "required": ["command"], "properties": {
        "command": {"oneOf": [{"type": "array", "minItems": 1, "items": {"type": "string"}}, {"type": "string", "minLength": 1}]},
        "cwd": {"type": "string"}, "env": {"$ref": "#/components/schemas/StringMap"}, "stdin": {"type": "string"},
        "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 86400, "default": 600},
        "user": {"type": "string"}, "encoding": {"enum": ["utf-8", "base64"]}}},
      "ExecResult": {"type": "object", "required": ["exit_code", "signal", "stdout", "stderr", "timed_out", "truncated", "oom_killed", "duration_ms"],
        "properties": {
          "exit_code": {"type": "integer"}, "signal": {"type": ["integer", "null"]}, "stdout": {"type": "string"}, "stderr": {"type": "string"},
          "timed_out": {"type": "boolean"}, "truncated": {"type": "boolean"}, "oom_killed": {"type": "boolean"}, "duration_ms": {"type": "integer"}}},
      "EgressEvent": {"type": "object", "required": ["id", "session_id", "time", "protocol", "host", "port", "address", "decision", "reason",
                    "bytes_up", "bytes_down", "duration_ms"],
        "properties": {
          "id": {"type": "integer"}, "session_id": {"type": "string"}, "time": {"type": "string"},
          "protocol": {"enum": ["connect", "http", "transparent-tls", "transparent-http", "dns"]},
          "host": {"type": "string"}, "port": {"type": "integer"}, "address": {"type": ["string", "null"]},
          "decision": {"enum": ["allowed", "denied"]},
          "reason": {"enum": ["host_not_allowed", "port_not_allowed", "address_denied", "sni_mismatch", "malformed", null]},
          "bytes_up": {"type": "integer"}, "bytes_down": {"type": "integer"}, "duration_ms": {"type": "integer"}}},
      "EgressEventList": {"type": "object", "required": ["data", "has_more", "first_id", "last_id"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/EgressEvent"}}, "has_more": {"type": "boolean"},
        "first_id": {"type": ["integer", "null"]}, "last_id": {"type": ["integer", "null"]}}},
      "NetworkPresets": {"type": "object", "required": ["version", "known_safe", "package_managers", "source"], "properties": {
        "version": {"type": "string"},
        "known_safe": {"type": "array", "items": {"$ref": "#/components/schemas/Host"}},
        "package_managers": {"type": "array", "items": {"$ref": "#/components/schemas/Host"}},
        "source": {"type": "string", "description": "builtin, or the directory given with paddock serve --presets"}}},
      "DirectoryListing": {"type": "object", "required": ["path", "entries"], "properties": {
        "path": {"type": "string"}, "entries": {"type": "array", "items": {"type": "object", "properties": {
          "name": {"type": "string"}, "type": {"enum": ["file", "directory", "symlink", "other"]},
          "size": {"type": "integer"}, "mode": {"type": "string"}}}}}}
    }
  }
}
"""#
}

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
                      "404": {"$ref": "#/components/responses/Error"}}}}
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
        "first_id": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}}}
    }
  }
}
"""#
}

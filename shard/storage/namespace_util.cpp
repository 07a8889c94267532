#include "shard/storage/namespace_util.h"

#include <string>

namespace mongosd::storage {
namespace {

Status invalid(std::string_view what, std::string_view name) {
    return Status(ErrorCodes::InvalidNamespace,
                  std::string(what) + ": '" + std::string(name) + "'");
}

}  // namespace

Status validateDatabaseName(std::string_view db) {
    if (db.empty()) return invalid("database name cannot be empty", db);
    if (db.size() > kMaxDatabaseNameLength) return invalid("database name is too long", db);
    for (char c : db) {
        if (c == '/' || c == '\\' || c == '.' || c == '"' || c == '$' || c == ' ' || c == '\0') {
            return invalid("database name contains an invalid character", db);
        }
    }
    return Status::OK();
}

Status validateNamespace(std::string_view ns) {
    if (ns.size() > kMaxNamespaceLength) return invalid("namespace is too long", ns);
    size_t dot = ns.find('.');
    if (dot == std::string_view::npos) return invalid("namespace has no collection name", ns);
    MONGOSD_RETURN_IF_ERROR(validateDatabaseName(ns.substr(0, dot)));
    std::string_view coll = ns.substr(dot + 1);
    if (coll.empty()) return invalid("collection name cannot be empty", ns);
    if (coll.front() == '.') return invalid("collection name cannot start with '.'", ns);
    if (coll.find('$') != std::string_view::npos) {
        return invalid("collection name cannot contain '$'", ns);
    }
    if (coll.find('\0') != std::string_view::npos) {
        return invalid("collection name cannot contain a NUL byte", ns);
    }
    return Status::OK();
}

std::string_view dbOf(std::string_view ns) {
    size_t dot = ns.find('.');
    return dot == std::string_view::npos ? std::string_view() : ns.substr(0, dot);
}

std::string_view collOf(std::string_view ns) {
    size_t dot = ns.find('.');
    return dot == std::string_view::npos ? std::string_view() : ns.substr(dot + 1);
}

}  // namespace mongosd::storage

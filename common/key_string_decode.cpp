// KeyString → BSON (see decode() in key_string.h). The bytes are untrusted: every length,
// terminator and nesting level is checked, and a malformed key gives FailedToParse.

#include <string>

#include "common/bson_compare.h"
#include "common/key_string.h"
#include "common/key_string_format.h"
#include "common/key_string_number.h"

namespace mongosd::keystring {
namespace {

using namespace detail;

Status corrupt(const char* what) {
    return Status(ErrorCodes::FailedToParse, std::string("corrupt KeyString: ") + what);
}

// Canonical rank of the value a type byte starts, or INT32_MIN when it starts none.
int rankOfTypeByte(uint8_t t) {
    switch (t) {
        case kMinKey:
            return canonicalTypeRank(BSON_TYPE_MINKEY);
        case kUndefined:
            return canonicalTypeRank(BSON_TYPE_UNDEFINED);
        case kNull:
            return canonicalTypeRank(BSON_TYPE_NULL);
        case kNumberNaN:
        case kNumberNegativeInfinity:
        case kNumberNegative:
        case kNumberZero:
        case kNumberPositive:
        case kNumberPositiveInfinity:
            return canonicalTypeRank(BSON_TYPE_DOUBLE);
        case kString:
            return canonicalTypeRank(BSON_TYPE_UTF8);
        case kObject:
            return canonicalTypeRank(BSON_TYPE_DOCUMENT);
        case kArray:
            return canonicalTypeRank(BSON_TYPE_ARRAY);
        case kBinData:
            return canonicalTypeRank(BSON_TYPE_BINARY);
        case kObjectId:
            return canonicalTypeRank(BSON_TYPE_OID);
        case kFalse:
        case kTrue:
            return canonicalTypeRank(BSON_TYPE_BOOL);
        case kDate:
            return canonicalTypeRank(BSON_TYPE_DATE_TIME);
        case kTimestamp:
            return canonicalTypeRank(BSON_TYPE_TIMESTAMP);
        case kRegex:
            return canonicalTypeRank(BSON_TYPE_REGEX);
        case kDbPointer:
            return canonicalTypeRank(BSON_TYPE_DBPOINTER);
        case kCode:
            return canonicalTypeRank(BSON_TYPE_CODE);
        case kCodeWithScope:
            return canonicalTypeRank(BSON_TYPE_CODEWSCOPE);
        case kMaxKey:
            return canonicalTypeRank(BSON_TYPE_MAXKEY);
        default:
            return INT32_MIN;
    }
}

Status appended(bool ok) { return ok ? Status::OK() : corrupt("value too large for BSON"); }

// bson_append_regex sorts the option letters, which would change how the value compares
// ("si" > "is"); so write the element bytes ourselves and splice them in.
Status appendRegexVerbatim(bson_t* out, const char* key, int keyLen, const std::string& pattern,
                           const std::string& options) {
    std::string doc(4, '\0');
    doc.push_back(static_cast<char>(BSON_TYPE_REGEX));
    doc.append(key, keyLen).push_back('\0');
    doc.append(pattern).push_back('\0');
    doc.append(options).push_back('\0');
    doc.push_back('\0');
    uint32_t len = static_cast<uint32_t>(doc.size());
    for (int i = 0; i < 4; ++i) doc[i] = static_cast<char>(len >> (8 * i));
    bson_t element;
    if (!bson_init_static(&element, reinterpret_cast<const uint8_t*>(doc.data()), doc.size())) {
        return corrupt("bad regex");
    }
    return appended(bson_concat(out, &element));
}

class Decoder {
public:
    explicit Decoder(Reader& r) : _r(r) {}

    Status value(bson_t* out, const char* key, int keyLen, int depth);

private:
    Status escapedString(std::string* s);
    Status cString(std::string* s);
    Status objectBody(bson_t* out, int depth);
    Status arrayBody(bson_t* out, int depth);
    Status nested(bson_t* out, const char* key, int keyLen, int depth, bool isArray);
    Status binData(bson_t* out, const char* key, int keyLen);
    Status fixedBytes(size_t n, uint8_t* dst);
    Status number(bson_t* out, const char* key, int keyLen, uint8_t typeByte);
    Status scalar(bson_t* out, const char* key, int keyLen, uint8_t typeByte, int depth);

    Reader& _r;
    std::string _scratch;
};

Status Decoder::escapedString(std::string* s) {
    s->clear();
    for (;;) {
        uint8_t b, next;
        if (!_r.readByte(&b)) return corrupt("unterminated string");
        if (b != kEnd) {
            s->push_back(static_cast<char>(b));
            continue;
        }
        if (!_r.readByte(&next)) return corrupt("unterminated string");
        if (next == kEnd) return Status::OK();
        if (next != kStringEscape) return corrupt("bad string escape");
        s->push_back('\0');
    }
}

Status Decoder::cString(std::string* s) {
    s->clear();
    for (;;) {
        uint8_t b;
        if (!_r.readByte(&b)) return corrupt("unterminated name");
        if (b == kEnd) return Status::OK();
        s->push_back(static_cast<char>(b));
    }
}

Status Decoder::fixedBytes(size_t n, uint8_t* dst) {
    for (size_t i = 0; i < n; ++i) {
        if (!_r.readByte(&dst[i])) return corrupt("truncated value");
    }
    return Status::OK();
}

Status Decoder::objectBody(bson_t* out, int depth) {
    std::string name;
    for (;;) {
        uint8_t rankByte, typeByte;
        if (!_r.readByte(&rankByte)) return corrupt("unterminated object");
        if (rankByte == kEnd) return Status::OK();
        MONGOSD_RETURN_IF_ERROR(cString(&name));
        if (!_r.peekByte(&typeByte)) return corrupt("missing field value");
        if (rankOfTypeByte(typeByte) + kFieldRankOffset != rankByte) {
            return corrupt("field rank does not match its value");
        }
        MONGOSD_RETURN_IF_ERROR(value(out, name.data(), static_cast<int>(name.size()), depth));
    }
}

Status Decoder::arrayBody(bson_t* out, int depth) {
    char keyBuf[16];
    for (uint32_t i = 0;; ++i) {
        uint8_t b;
        if (!_r.peekByte(&b)) return corrupt("unterminated array");
        if (b == kEnd) {
            _r.readByte(&b);
            return Status::OK();
        }
        std::string_view key = arrayIndexKey(i, keyBuf);
        MONGOSD_RETURN_IF_ERROR(value(out, key.data(), static_cast<int>(key.size()), depth));
    }
}

Status Decoder::nested(bson_t* out, const char* key, int keyLen, int depth, bool isArray) {
    if (depth >= kMaxNestingDepth) return corrupt("nesting deeper than 100");
    bson_t child;
    bool begun = isArray ? bson_append_array_begin(out, key, keyLen, &child)
                         : bson_append_document_begin(out, key, keyLen, &child);
    if (!begun) return corrupt("value too large for BSON");
    Status st = isArray ? arrayBody(&child, depth + 1) : objectBody(&child, depth + 1);
    bool ended =
        isArray ? bson_append_array_end(out, &child) : bson_append_document_end(out, &child);
    MONGOSD_RETURN_IF_ERROR(st);
    return appended(ended);
}

Status Decoder::binData(bson_t* out, const char* key, int keyLen) {
    uint64_t len = 0;
    uint8_t subtype = 0;
    if (!_r.readBigEndian(4, &len) || !_r.readByte(&subtype)) return corrupt("truncated binData");
    if (len > _r.remaining()) return corrupt("truncated binData");
    _scratch.resize(len);
    MONGOSD_RETURN_IF_ERROR(fixedBytes(len, reinterpret_cast<uint8_t*>(_scratch.data())));
    const uint8_t* data = reinterpret_cast<const uint8_t*>(_scratch.data());
    if (subtype == BSON_SUBTYPE_BINARY_DEPRECATED) {
        // The data starts with its own little-endian length, which libbson writes itself.
        if (len < 4) return corrupt("short binData subtype 2");
        uint32_t inner = data[0] | (data[1] << 8) | (data[2] << 16) | (uint32_t{data[3]} << 24);
        if (inner != len - 4) return corrupt("binData subtype 2 length mismatch");
        data += 4;
        len -= 4;
    }
    return appended(bson_append_binary(out, key, keyLen, static_cast<bson_subtype_t>(subtype), data,
                                       static_cast<uint32_t>(len)));
}

Status Decoder::number(bson_t* out, const char* key, int keyLen, uint8_t typeByte) {
    NumberKey k;
    if (!readNumberKey(_r, typeByte, &k)) return corrupt("bad number");
    if (!appendNumberKeyAsBson(out, key, keyLen, k)) return corrupt("number out of range");
    return Status::OK();
}

Status Decoder::value(bson_t* out, const char* key, int keyLen, int depth) {
    uint8_t t;
    if (!_r.readByte(&t)) return corrupt("missing value");
    switch (t) {
        case kMinKey:
            return appended(bson_append_minkey(out, key, keyLen));
        case kMaxKey:
            return appended(bson_append_maxkey(out, key, keyLen));
        case kUndefined:
            return appended(bson_append_undefined(out, key, keyLen));
        case kNull:
            return appended(bson_append_null(out, key, keyLen));
        case kFalse:
            return appended(bson_append_bool(out, key, keyLen, false));
        case kTrue:
            return appended(bson_append_bool(out, key, keyLen, true));
        case kNumberNaN:
        case kNumberNegativeInfinity:
        case kNumberNegative:
        case kNumberZero:
        case kNumberPositive:
        case kNumberPositiveInfinity:
            return number(out, key, keyLen, t);
        case kObject:
            return nested(out, key, keyLen, depth, false);
        case kArray:
            return nested(out, key, keyLen, depth, true);
        case kBinData:
            return binData(out, key, keyLen);
        default:
            return scalar(out, key, keyLen, t, depth);
    }
}

Status Decoder::scalar(bson_t* out, const char* key, int keyLen, uint8_t t, int depth) {
    switch (t) {
        case kString: {
            MONGOSD_RETURN_IF_ERROR(escapedString(&_scratch));
            return appended(bson_append_utf8(out, key, keyLen, _scratch.data(),
                                             static_cast<int>(_scratch.size())));
        }
        case kObjectId: {
            bson_oid_t oid;
            MONGOSD_RETURN_IF_ERROR(fixedBytes(12, oid.bytes));
            return appended(bson_append_oid(out, key, keyLen, &oid));
        }
        case kDate: {
            uint64_t v = 0;
            if (!_r.readBigEndian(8, &v)) return corrupt("truncated date");
            int64_t ms = static_cast<int64_t>(v ^ (uint64_t{1} << 63));
            return appended(bson_append_date_time(out, key, keyLen, ms));
        }
        case kTimestamp: {
            uint64_t v = 0;
            if (!_r.readBigEndian(8, &v)) return corrupt("truncated timestamp");
            return appended(bson_append_timestamp(out, key, keyLen, static_cast<uint32_t>(v >> 32),
                                                  static_cast<uint32_t>(v)));
        }
        case kRegex: {
            std::string pattern, options;
            MONGOSD_RETURN_IF_ERROR(cString(&pattern));
            MONGOSD_RETURN_IF_ERROR(cString(&options));
            return appendRegexVerbatim(out, key, keyLen, pattern, options);
        }
        case kDbPointer: {
            uint64_t len = 0;
            if (!_r.readBigEndian(4, &len) || len > _r.remaining()) {
                return corrupt("truncated dbPointer");
            }
            std::string ns(len, '\0');
            bson_oid_t oid;
            MONGOSD_RETURN_IF_ERROR(fixedBytes(len, reinterpret_cast<uint8_t*>(ns.data())));
            MONGOSD_RETURN_IF_ERROR(fixedBytes(12, oid.bytes));
            if (ns.find('\0') != std::string::npos) return corrupt("NUL in dbPointer namespace");
            return appended(bson_append_dbpointer(out, key, keyLen, ns.c_str(), &oid));
        }
        case kCode: {
            MONGOSD_RETURN_IF_ERROR(escapedString(&_scratch));
            // libbson's code appender takes a C string.
            if (_scratch.find('\0') != std::string::npos) return corrupt("NUL in code");
            return appended(bson_append_code(out, key, keyLen, _scratch.c_str()));
        }
        case kCodeWithScope: {
            if (depth >= kMaxNestingDepth) return corrupt("nesting deeper than 100");
            std::string code;
            MONGOSD_RETURN_IF_ERROR(escapedString(&code));
            if (code.find('\0') != std::string::npos) return corrupt("NUL in code");
            bson_t scope;
            bson_init(&scope);
            Status st = objectBody(&scope, depth + 1);
            bool ok =
                st.isOK() && bson_append_code_with_scope(out, key, keyLen, code.c_str(), &scope);
            bson_destroy(&scope);
            MONGOSD_RETURN_IF_ERROR(st);
            return appended(ok);
        }
        default:
            return corrupt("unknown type byte");
    }
}

}  // namespace

StatusWith<BsonObj> decode(std::string_view ks, size_t nFields, const std::vector<Direction>& dirs,
                           size_t* consumed) {
    Reader reader(ks, 0);
    Decoder decoder(reader);
    BsonBuilder b;
    for (size_t i = 0; i < nFields; ++i) {
        bool descending = i < dirs.size() && dirs[i] == Direction::kDescending;
        reader.setInverted(descending);
        MONGOSD_RETURN_IF_ERROR(decoder.value(b.get(), "", 0, 0));
    }
    if (consumed) {
        *consumed = reader.position();
    } else if (!reader.atEnd()) {
        return corrupt("bytes after the last component");
    }
    return b.obj();
}

}  // namespace mongosd::keystring

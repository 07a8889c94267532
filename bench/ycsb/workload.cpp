#include "bench/ycsb/workload.h"

#include <charconv>
#include <fstream>

namespace mongosd::ycsb {
namespace {

Status badValue(std::string_view name, std::string_view value) {
    return Status(ErrorCodes::BadValue,
                  "bad value for property " + std::string(name) + ": '" + std::string(value) + "'");
}

StatusWith<uint64_t> parseCount(std::string_view name, std::string_view value) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size()) return badValue(name, value);
    return v;
}

StatusWith<double> parseProportion(std::string_view name, std::string_view value) {
    try {
        size_t used = 0;
        double v = std::stod(std::string(value), &used);
        if (used != value.size() || v < 0 || v > 1) return badValue(name, value);
        return v;
    } catch (const std::exception&) {
        return badValue(name, value);
    }
}

StatusWith<Distribution> parseDistribution(std::string_view name, std::string_view value) {
    if (value == "uniform") return Distribution::kUniform;
    if (value == "zipfian") return Distribution::kZipfian;
    if (value == "latest") return Distribution::kLatest;
    return badValue(name, value);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Properties of the Java client (or of other bindings) that mean nothing here.
bool isIgnoredProperty(std::string_view name) {
    return name == "workload" || name == "db" || name == "exporter" || name == "threadcount" ||
           name == "measurementtype" || name == "fieldlengthdistribution" ||
           name == "hotspotdatafraction" || name == "hotspotopnfraction" ||
           name == "dataintegrity" || name == "maxexecutiontime" || name == "target";
}

}  // namespace

StatusWith<WorkloadProperties> presetWorkload(std::string_view letter) {
    WorkloadProperties p;
    p.requestDistribution = Distribution::kZipfian;
    p.readProportion = p.updateProportion = 0;
    char c = letter.size() == 1 ? static_cast<char>(std::tolower(letter[0])) : '?';
    switch (c) {
        case 'a':
            p.readProportion = 0.5, p.updateProportion = 0.5;
            break;
        case 'b':
            p.readProportion = 0.95, p.updateProportion = 0.05;
            break;
        case 'c':
            p.readProportion = 1;
            break;
        case 'd':
            p.readProportion = 0.95, p.insertProportion = 0.05;
            p.requestDistribution = Distribution::kLatest;
            break;
        case 'e':
            p.scanProportion = 0.95, p.insertProportion = 0.05;
            p.maxScanLength = 100;
            break;
        case 'f':
            p.readProportion = 0.5, p.readModifyWriteProportion = 0.5;
            break;
        default:
            return Status(ErrorCodes::BadValue,
                          "unknown workload '" + std::string(letter) + "' (a..f, or a file)");
    }
    return p;
}

Status applyProperty(WorkloadProperties& p, std::string_view name, std::string_view value) {
    auto count = [&](auto& field) -> Status {
        auto v = parseCount(name, value);
        if (!v.isOK()) return v.getStatus();
        field = static_cast<std::remove_reference_t<decltype(field)>>(v.getValue());
        return Status::OK();
    };
    auto proportion = [&](double& field) -> Status {
        auto v = parseProportion(name, value);
        if (!v.isOK()) return v.getStatus();
        field = v.getValue();
        return Status::OK();
    };
    auto distribution = [&](Distribution& field) -> Status {
        auto v = parseDistribution(name, value);
        if (!v.isOK()) return v.getStatus();
        field = v.getValue();
        return Status::OK();
    };
    auto boolean = [&](bool& field) -> Status {
        if (value != "true" && value != "false") return badValue(name, value);
        field = value == "true";
        return Status::OK();
    };
    if (name == "table") return p.table = std::string(value), Status::OK();
    if (name == "recordcount") return count(p.recordCount);
    if (name == "operationcount") return count(p.operationCount);
    if (name == "insertstart") return count(p.insertStart);
    if (name == "insertcount") return count(p.insertCount);
    if (name == "fieldcount") return count(p.fieldCount);
    if (name == "fieldlength") return count(p.fieldLength);
    if (name == "zeropadding") return count(p.zeroPadding);
    if (name == "transactioninsertkeyoffset") return count(p.transactionInsertKeyOffset);
    if (name == "minscanlength") return count(p.minScanLength);
    if (name == "maxscanlength") return count(p.maxScanLength);
    if (name == "readallfields") return boolean(p.readAllFields);
    if (name == "writeallfields") return boolean(p.writeAllFields);
    if (name == "readproportion") return proportion(p.readProportion);
    if (name == "updateproportion") return proportion(p.updateProportion);
    if (name == "insertproportion") return proportion(p.insertProportion);
    if (name == "scanproportion") return proportion(p.scanProportion);
    if (name == "readmodifywriteproportion") return proportion(p.readModifyWriteProportion);
    if (name == "requestdistribution") return distribution(p.requestDistribution);
    if (name == "scanlengthdistribution") {
        MONGOSD_RETURN_IF_ERROR(distribution(p.scanLengthDistribution));
        if (p.scanLengthDistribution == Distribution::kLatest) return badValue(name, value);
        return Status::OK();
    }
    if (name == "insertorder") {
        if (value != "hashed" && value != "ordered") return badValue(name, value);
        p.orderedInserts = value == "ordered";
        return Status::OK();
    }
    if (isIgnoredProperty(name)) return Status::OK();
    return Status(ErrorCodes::BadValue, "unknown property: " + std::string(name));
}

Status applyPropertyFile(WorkloadProperties& props, const std::string& path) {
    std::ifstream in(path);
    if (!in) return Status(ErrorCodes::BadValue, "cannot read workload file " + path);
    std::string line;
    while (std::getline(in, line)) {
        std::string_view l = trim(line);
        if (l.empty() || l.front() == '#') continue;
        size_t eq = l.find('=');
        if (eq == std::string_view::npos)
            return Status(ErrorCodes::BadValue, "not name=value in " + path + ": " + line);
        MONGOSD_RETURN_IF_ERROR(
            applyProperty(props, trim(l.substr(0, eq)), trim(l.substr(eq + 1))));
    }
    return Status::OK();
}

Status validateProperties(const WorkloadProperties& p) {
    auto bad = [](std::string why) { return Status(ErrorCodes::BadValue, std::move(why)); };
    if (p.fieldCount < 1 || p.fieldLength < 1)
        return bad("fieldcount and fieldlength must be >= 1");
    if (p.minScanLength < 1 || p.minScanLength > p.maxScanLength)
        return bad("need 1 <= minscanlength <= maxscanlength");
    if (p.insertStart > p.recordCount && p.insertCount == 0)
        return bad("insertstart is beyond recordcount");
    if (p.effectiveInsertCount() == 0) return bad("no records (recordcount/insertcount is 0)");
    // `latest` draws a zipfian distance back from the newest record: it needs two at least.
    if (p.requestDistribution == Distribution::kLatest && p.effectiveInsertCount() < 2)
        return bad("requestdistribution=latest needs at least 2 records");
    double sum = p.readProportion + p.updateProportion + p.insertProportion + p.scanProportion +
                 p.readModifyWriteProportion;
    if (sum <= 0) return bad("all operation proportions are 0");
    return Status::OK();
}

std::string_view operationName(Operation op) {
    switch (op) {
        case Operation::kRead:
            return "READ";
        case Operation::kUpdate:
            return "UPDATE";
        case Operation::kInsert:
            return "INSERT";
        case Operation::kScan:
            return "SCAN";
        case Operation::kReadModifyWrite:
            return "READ-MODIFY-WRITE";
    }
    return "?";
}

Workload::Workload(WorkloadProperties props)
    : _props(std::move(props)),
      _insertSequence(_props.insertStart + _props.effectiveInsertCount()) {
    _proportionSum = _props.readProportion + _props.updateProportion + _props.insertProportion +
                     _props.scanProportion + _props.readModifyWriteProportion;
}

std::string Workload::keyName(uint64_t keyNum) const {
    if (keyNum >= _props.insertStart + _props.effectiveInsertCount())
        keyNum += _props.transactionInsertKeyOffset;
    return buildKeyName(keyNum, _props.orderedInserts, _props.zeroPadding);
}

uint64_t Workload::zipfianKeyMax() const {
    auto expectedNewKeys = static_cast<uint64_t>(static_cast<double>(_props.operationCount) *
                                                 _props.insertProportion * 2.0);
    return _props.insertStart + _props.effectiveInsertCount() + expectedNewKeys;
}

WorkloadState::WorkloadState(const Workload& workload, uint64_t seed)
    : _workload(workload), _rng(seed) {
    const WorkloadProperties& p = workload.props();
    if (p.scanLengthDistribution == Distribution::kZipfian)
        _zipfianScanLength.emplace(p.minScanLength, p.maxScanLength);
    if (p.requestDistribution == Distribution::kZipfian)
        _scrambled.emplace(p.insertStart, workload.zipfianKeyMax());
    if (p.requestDistribution == Distribution::kLatest) _latest.emplace(workload.insertSequence());
}

Operation WorkloadState::nextOperation() {
    const WorkloadProperties& p = _workload.props();
    double u = _rng.nextDouble() * _workload._proportionSum;
    if ((u -= p.readProportion) < 0) return Operation::kRead;
    if ((u -= p.updateProportion) < 0) return Operation::kUpdate;
    if ((u -= p.insertProportion) < 0) return Operation::kInsert;
    if ((u -= p.scanProportion) < 0) return Operation::kScan;
    if (p.readModifyWriteProportion > 0) return Operation::kReadModifyWrite;
    return Operation::kRead;  // rounding left u a hair above the sum
}

uint64_t WorkloadState::drawKey() {
    const WorkloadProperties& p = _workload.props();
    switch (p.requestDistribution) {
        case Distribution::kZipfian:
            return _scrambled->next(_rng);
        case Distribution::kLatest:
            return _latest->next(_rng);
        case Distribution::kUniform:
            break;
    }
    return p.insertStart + _rng.below(p.effectiveInsertCount());
}

uint64_t WorkloadState::nextKeyNum() {
    // As YCSB: draw again until the key has been inserted (the zipfian range runs ahead of the
    // inserts it expects).
    uint64_t key;
    do {
        key = drawKey();
    } while (key > _workload.insertSequence().lastValue());
    return key;
}

uint64_t WorkloadState::nextScanLength() {
    const WorkloadProperties& p = _workload.props();
    if (_zipfianScanLength) return _zipfianScanLength->next(_rng);
    return p.minScanLength + _rng.below(p.maxScanLength - p.minScanLength + 1);
}

int WorkloadState::nextFieldIndex() {
    return static_cast<int>(_rng.below(static_cast<uint64_t>(_workload.props().fieldCount)));
}

std::string WorkloadState::randomValue() {
    // Letters and digits: the same bytes cost the same to escape in every backend's encoding.
    static constexpr char kAlphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    std::string v(static_cast<size_t>(_workload.props().fieldLength), ' ');
    uint64_t bits = 0;
    int left = 0;
    for (char& c : v) {
        if (left == 0) bits = _rng.next(), left = 10;
        c = kAlphabet[bits & 63];
        bits >>= 6;
        --left;
    }
    return v;
}

Fields WorkloadState::allFieldValues() {
    Fields fields;
    fields.reserve(static_cast<size_t>(_workload.props().fieldCount));
    for (int i = 0; i < _workload.props().fieldCount; ++i)
        fields.emplace_back(_workload.fieldName(i), randomValue());
    return fields;
}

Fields WorkloadState::updateFieldValues() {
    if (_workload.props().writeAllFields) return allFieldValues();
    return Fields{{_workload.fieldName(nextFieldIndex()), randomValue()}};
}

}  // namespace mongosd::ycsb

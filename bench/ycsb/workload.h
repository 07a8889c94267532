#pragma once
// YCSB's CoreWorkload: its properties (the workloads/workloada..f files are built in as presets,
// and any property can be overridden), and the per-thread choice of the next operation, key,
// scan length and field values.
//
// Threads: WorkloadProperties and Workload are shared (Workload's insert sequence is
// thread-safe, the rest read-only once built); each client thread owns one WorkloadState (its
// Rng and key choosers).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/ycsb/generators.h"
#include "common/status.h"

namespace mongosd::ycsb {

enum class Distribution { kUniform, kZipfian, kLatest };

struct WorkloadProperties {
    std::string table = "usertable";
    uint64_t recordCount = 1000;
    uint64_t operationCount = 1000;  // 0: no count limit (then a time limit is needed)
    uint64_t insertStart = 0;
    uint64_t insertCount = 0;  // 0: recordCount - insertStart
    int fieldCount = 10;
    int fieldLength = 100;
    bool readAllFields = true;
    bool writeAllFields = false;
    double readProportion = 0.95;
    double updateProportion = 0.05;
    double insertProportion = 0;
    double scanProportion = 0;
    double readModifyWriteProportion = 0;
    Distribution requestDistribution = Distribution::kUniform;
    uint64_t minScanLength = 1;
    uint64_t maxScanLength = 1000;
    Distribution scanLengthDistribution = Distribution::kUniform;
    bool orderedInserts = false;  // insertorder=ordered; YCSB's default is hashed
    int zeroPadding = 1;
    // Ours, not YCSB's: records inserted by the run phase get key numbers shifted by this much,
    // so runs against the same loaded database (one per transport) insert disjoint keys.
    uint64_t transactionInsertKeyOffset = 0;

    uint64_t effectiveInsertCount() const {
        return insertCount ? insertCount : recordCount - insertStart;
    }
};

// The properties of YCSB's workloads/workload<letter> (a..f, either case).
StatusWith<WorkloadProperties> presetWorkload(std::string_view letter);
// Sets one property by its YCSB name (recordcount, readproportion, requestdistribution, ...).
// BadValue for an unknown name or a malformed value.
Status applyProperty(WorkloadProperties& props, std::string_view name, std::string_view value);
// Applies a YCSB properties file (name=value lines, '#' comments). Unknown names that only
// concern the Java client (workload, db, exporter, ...) are ignored.
Status applyPropertyFile(WorkloadProperties& props, const std::string& path);

// BadValue when the properties cannot describe a run (no fields, no records, no operations...).
Status validateProperties(const WorkloadProperties& props);

enum class Operation { kRead, kUpdate, kInsert, kScan, kReadModifyWrite };
constexpr int kOperationKinds = 5;
// YCSB's names: READ, UPDATE, INSERT, SCAN, READ-MODIFY-WRITE.
std::string_view operationName(Operation op);

using Fields = std::vector<std::pair<std::string, std::string>>;

class Workload;

// One client thread's random state.
class WorkloadState {
public:
    WorkloadState(const Workload& workload, uint64_t seed);

    Operation nextOperation();
    // A key number that has been inserted (drawn by the request distribution).
    uint64_t nextKeyNum();
    uint64_t nextScanLength();
    // The field an update writes (writeallfields=false).
    int nextFieldIndex();
    // fieldLength random printable characters.
    std::string randomValue();
    // All fields, for an insert.
    Fields allFieldValues();
    // The fields an update writes: one random field, or all with writeallfields.
    Fields updateFieldValues();

    Rng& rng() { return _rng; }

private:
    uint64_t drawKey();

    const Workload& _workload;
    Rng _rng;
    std::optional<ZipfianGenerator> _zipfianScanLength;
    std::optional<ScrambledZipfianGenerator> _scrambled;
    std::optional<SkewedLatestGenerator> _latest;
};

// Shared between threads: the properties, the insert key sequence and the op proportions.
class Workload {
public:
    // The insert sequence starts after the loaded records (insertstart + insertcount).
    explicit Workload(WorkloadProperties props);

    const WorkloadProperties& props() const { return _props; }
    AcknowledgedCounter& insertSequence() { return _insertSequence; }
    const AcknowledgedCounter& insertSequence() const { return _insertSequence; }
    // The key of record number keyNum; numbers past the loaded records are the run's inserts,
    // shifted by transactionInsertKeyOffset.
    std::string keyName(uint64_t keyNum) const;
    std::string fieldName(int index) const { return "field" + std::to_string(index); }
    // Upper bound (inclusive) of the zipfian key range: YCSB sizes it for the inserts it expects,
    // insertstart + insertcount + 2 * operationcount * insertproportion.
    uint64_t zipfianKeyMax() const;

private:
    friend class WorkloadState;
    WorkloadProperties _props;
    AcknowledgedCounter _insertSequence;
    double _proportionSum;
};

}  // namespace mongosd::ycsb

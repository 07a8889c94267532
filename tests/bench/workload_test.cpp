#include "bench/ycsb/workload.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/support/server_process.h"

namespace mongosd::ycsb {
namespace {

WorkloadProperties preset(const char* letter) {
    auto p = presetWorkload(letter);
    EXPECT_TRUE(p.isOK()) << p.getStatus().toString();
    return p.getValue();
}

TEST(Workload, PresetsMatchYcsbFiles) {
    auto a = preset("a");
    EXPECT_EQ(a.readProportion, 0.5);
    EXPECT_EQ(a.updateProportion, 0.5);
    EXPECT_EQ(a.requestDistribution, Distribution::kZipfian);
    EXPECT_EQ(a.fieldCount, 10);
    EXPECT_EQ(a.fieldLength, 100);
    EXPECT_TRUE(a.readAllFields);
    EXPECT_FALSE(a.writeAllFields);
    EXPECT_FALSE(a.orderedInserts);
    EXPECT_EQ(preset("B").readProportion, 0.95);
    EXPECT_EQ(preset("c").readProportion, 1.0);
    auto d = preset("d");
    EXPECT_EQ(d.insertProportion, 0.05);
    EXPECT_EQ(d.requestDistribution, Distribution::kLatest);
    auto e = preset("e");
    EXPECT_EQ(e.scanProportion, 0.95);
    EXPECT_EQ(e.maxScanLength, 100u);
    EXPECT_EQ(e.scanLengthDistribution, Distribution::kUniform);
    EXPECT_EQ(preset("f").readModifyWriteProportion, 0.5);
    EXPECT_FALSE(presetWorkload("g").isOK());
}

TEST(Workload, PropertiesAndFiles) {
    WorkloadProperties p;
    ASSERT_TRUE(applyProperty(p, "recordcount", "5000").isOK());
    EXPECT_EQ(p.recordCount, 5000u);
    ASSERT_TRUE(applyProperty(p, "requestdistribution", "latest").isOK());
    EXPECT_EQ(p.requestDistribution, Distribution::kLatest);
    EXPECT_FALSE(applyProperty(p, "recordcount", "12x").isOK());
    EXPECT_FALSE(applyProperty(p, "readproportion", "1.5").isOK());
    EXPECT_FALSE(applyProperty(p, "nosuchproperty", "1").isOK());
    EXPECT_TRUE(applyProperty(p, "workload", "site.ycsb.workloads.CoreWorkload").isOK());

    test::TempDir dir;
    std::string path = dir.path() + "/workloadx";
    std::ofstream(path) << "# comment\nrecordcount=77\n  readproportion = 0.25 \n"
                           "insertorder=ordered\n";
    WorkloadProperties q;
    ASSERT_TRUE(applyPropertyFile(q, path).isOK());
    EXPECT_EQ(q.recordCount, 77u);
    EXPECT_EQ(q.readProportion, 0.25);
    EXPECT_TRUE(q.orderedInserts);
    EXPECT_FALSE(applyPropertyFile(q, dir.path() + "/missing").isOK());
    EXPECT_TRUE(validateProperties(q).isOK());
    q.fieldCount = 0;
    EXPECT_FALSE(validateProperties(q).isOK());
    auto d = preset("d");
    d.recordCount = 1;
    EXPECT_FALSE(validateProperties(d).isOK());
}

TEST(Workload, OperationMixFollowsProportions) {
    for (const char* letter : {"a", "b", "e", "f"}) {
        auto props = preset(letter);
        props.recordCount = 1000;
        Workload w(props);
        WorkloadState s(w, 1);
        std::array<int, kOperationKinds> counts{};
        constexpr int kDraws = 200000;
        for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(s.nextOperation())];
        auto frac = [&](Operation op) { return counts[static_cast<size_t>(op)] / double(kDraws); };
        EXPECT_NEAR(frac(Operation::kRead), props.readProportion, 0.005) << letter;
        EXPECT_NEAR(frac(Operation::kUpdate), props.updateProportion, 0.005) << letter;
        EXPECT_NEAR(frac(Operation::kInsert), props.insertProportion, 0.005) << letter;
        EXPECT_NEAR(frac(Operation::kScan), props.scanProportion, 0.005) << letter;
        EXPECT_NEAR(frac(Operation::kReadModifyWrite), props.readModifyWriteProportion, 0.005)
            << letter;
    }
}

TEST(Workload, KeysStayWithinInsertedRecords) {
    auto props = preset("e");
    props.recordCount = 500;
    props.operationCount = 10000;
    Workload w(props);
    // The zipfian range reaches past the records for the inserts YCSB expects.
    EXPECT_EQ(w.zipfianKeyMax(), 500u + 1000u);
    WorkloadState s(w, 2);
    std::set<uint64_t> seen;
    double scanSum = 0;
    for (int i = 0; i < 50000; ++i) {
        uint64_t k = s.nextKeyNum();
        ASSERT_LT(k, 500u);
        seen.insert(k);
        uint64_t len = s.nextScanLength();
        ASSERT_GE(len, 1u);
        ASSERT_LE(len, 100u);
        scanSum += len;
    }
    EXPECT_GT(seen.size(), 400u);
    EXPECT_NEAR(scanSum / 50000, 50.5, 1.0);
    // Once inserted (and acknowledged), new records can be drawn.
    for (int i = 0; i < 1000; ++i) w.insertSequence().acknowledge(w.insertSequence().next());
    bool drewNew = false;
    for (int i = 0; i < 50000 && !drewNew; ++i) drewNew = s.nextKeyNum() >= 500;
    EXPECT_TRUE(drewNew);
}

TEST(Workload, FieldValues) {
    Workload w(preset("a"));
    WorkloadState s(w, 3);
    Fields all = s.allFieldValues();
    ASSERT_EQ(all.size(), 10u);
    EXPECT_EQ(all[0].first, "field0");
    EXPECT_EQ(all[9].first, "field9");
    for (const auto& [name, value] : all) EXPECT_EQ(value.size(), 100u);
    std::set<std::string> updated;
    for (int i = 0; i < 1000; ++i) {
        Fields one = s.updateFieldValues();
        ASSERT_EQ(one.size(), 1u);
        updated.insert(one[0].first);
    }
    EXPECT_EQ(updated.size(), 10u);
    EXPECT_EQ(w.keyName(0), "user6284781860667377211");

    auto props = preset("e");
    props.recordCount = 10;
    ASSERT_TRUE(applyProperty(props, "transactioninsertkeyoffset", "1000").isOK());
    Workload shifted(props);
    EXPECT_EQ(shifted.keyName(9), buildKeyName(9, false));
    EXPECT_EQ(shifted.keyName(10), buildKeyName(1010, false));
}

}  // namespace
}  // namespace mongosd::ycsb

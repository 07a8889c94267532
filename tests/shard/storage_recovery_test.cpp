// Crash recovery with real process deaths. A child process opens the engine and writes; it
// announces each operation on a pipe before starting it and acknowledges it after commit,
// after waitForDurable for "durable" operations. The parent SIGKILLs it at a random moment
// (sometimes while it is still opening and replaying), reopens the database and checks:
//  - the recovered state equals the state after some prefix of the operations (nothing
//    half-applied, no holes: a write is never recovered without every write before it),
//  - that prefix includes every operation acknowledged as durable,
//  - every document is intact and the persisted counts match the documents.
// Cycles reuse the same dbpath, with checkpoints (explicit, periodic, and the one after each
// recovery) and collection creates/drops between them, so recovery starts from checkpoints of
// every age and sees collections created or dropped after the checkpoint.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "shard/storage/storage_engine.h"
#include "tests/shard/storage_test_util.h"

namespace mongosd::storage {
namespace {

using test::TempDir;

constexpr int kCollections = 4;
using Model = std::map<std::string, std::map<int64_t, int64_t>>;  // ns -> _id -> v

std::string nsOf(int coll) { return "db.c" + std::to_string(coll); }

int64_t checkOf(int64_t id, int64_t v) { return id * 1000003 + v; }

BsonObj makeDoc(int64_t id, int64_t v) {
    BsonBuilder b;
    b.appendInt64("_id", id).appendInt64("v", v).appendInt64("check", checkOf(id, v));
    b.appendString("pad", std::string(size_t(v % 40) * 25, 'x'));
    return b.obj();
}

struct Msg {
    enum Kind : uint8_t { kIntent, kAck } kind;
    char op;  // i u d c(create) x(drop) k(checkpoint)
    uint8_t coll;
    bool durable;  // acknowledged only after waitForDurable
    int64_t id;
    int64_t v;
};

void applyToModel(Model& m, const Msg& msg) {
    std::string ns = nsOf(msg.coll);
    switch (msg.op) {
        case 'i':
        case 'u':
            m[ns][msg.id] = msg.v;
            break;
        case 'd':
            m[ns].erase(msg.id);
            break;
        case 'c':
            m[ns];
            break;
        case 'x':
            m.erase(ns);
            break;
        default:
            break;
    }
}

void send(int fd, const Msg& msg) {
    if (write(fd, &msg, sizeof(msg)) != sizeof(msg)) _exit(3);
}

StatusWith<OpTime> commitWrite(StorageEngine& engine, const Msg& msg) {
    std::string ns = nsOf(msg.coll);
    if (msg.op == 'c') return engine.createCollection(ns);
    if (msg.op == 'x') return engine.dropCollection(ns);
    auto txn = engine.beginWrite();
    if (!txn.isOK()) return txn.getStatus();
    Status st;
    if (msg.op == 'd') {
        BsonObj id = test::idDoc(msg.id);
        st = txn.getValue().remove(ns, test::idOf(id));
    } else if (msg.op == 'u') {
        st = txn.getValue().update(ns, makeDoc(msg.id, msg.v));
    } else {
        st = txn.getValue().insert(ns, makeDoc(msg.id, msg.v));
    }
    if (!st.isOK()) return st;
    return txn.getValue().commit();
}

Status perform(StorageEngine& engine, const Msg& msg) {
    if (msg.op == 'k') return engine.checkpointNow();
    auto op = commitWrite(engine, msg);
    if (!op.isOK()) return op.getStatus();
    return msg.durable ? engine.waitForDurable(op.getValue()) : Status::OK();
}

// Picks the next operation given the current state.
Msg nextOp(std::mt19937_64& rng, const Model& m, int64_t& nextId, int durablePercent) {
    Msg msg{Msg::kIntent,
            'i',
            uint8_t(rng() % kCollections),
            int(rng() % 100) < durablePercent,
            0,
            int64_t(rng() % 1000)};
    std::string ns = nsOf(msg.coll);
    auto it = m.find(ns);
    bool exists = it != m.end();
    bool hasDocs = exists && !it->second.empty();
    int dice = int(rng() % 100);
    if (dice < 3) {
        msg.op = 'k';
    } else if (dice < 7) {
        msg.op = exists ? 'x' : 'c';
    } else if (dice < 35 && hasDocs) {
        auto d = it->second.begin();
        std::advance(d, rng() % it->second.size());
        msg.id = d->first;
        msg.op = dice < 25 ? 'u' : 'd';
        msg.v = d->second + 1;
    } else {
        msg.id = nextId++;
    }
    return msg;
}

struct CycleConfig {
    uint64_t seed = 0;
    int killAfterAcks = 0;  // 0: kill after a delay, maybe before the child finished opening
    int extraDelayUs = 0;
    int durablePercent = 100;
    std::chrono::milliseconds checkpointInterval{600000};
    uint64_t oplogMaxBytes = uint64_t(1) << 30;
};

[[noreturn]] void runChild(const std::string& path, Model model, const CycleConfig& config,
                           int fd) {
    StorageOptions options;
    options.dbpath = path;
    options.checkpointInterval = config.checkpointInterval;
    options.oplogMaxBytes = config.oplogMaxBytes;
    auto opened = StorageEngine::open(options);
    if (!opened.isOK()) _exit(4);
    StorageEngine& engine = *opened.getValue();
    std::mt19937_64 rng(config.seed);
    int64_t nextId = 1;
    for (const auto& [ns, docs] : model) {
        if (!docs.empty()) nextId = std::max(nextId, docs.rbegin()->first + 1);
    }
    for (;;) {
        Msg msg = nextOp(rng, model, nextId, config.durablePercent);
        send(fd, msg);
        if (!perform(engine, msg).isOK()) _exit(5);
        applyToModel(model, msg);
        msg.kind = Msg::kAck;
        send(fd, msg);
    }
}

// Reads the database into a Model, checking every document is whole.
Model readState(StorageEngine& engine) {
    Model m;
    for (const auto& info : engine.listCollections("db")) {
        auto& docs = m[info.ns];
        auto txn = engine.beginRead();
        EXPECT_TRUE(txn.isOK());
        RecordCursor c = txn.getValue().scan(info.ns);
        while (c.next()) {
            int64_t id = test::int64Field(c.value(), "_id");
            int64_t v = test::int64Field(c.value(), "v");
            EXPECT_TRUE(c.value().binaryEqual(makeDoc(id, v).view())) << info.ns << " " << id;
            docs[id] = v;
        }
        EXPECT_TRUE(c.status().isOK());
        auto stats = engine.collectionStats(info.ns);
        EXPECT_TRUE(stats.isOK());
        EXPECT_EQ(stats.getValue().count, int64_t(docs.size())) << info.ns;
    }
    return m;
}

std::string describe(const Model& m) {
    std::string s;
    for (const auto& [ns, docs] : m) s += ns + ":" + std::to_string(docs.size()) + " ";
    return s;
}

struct CycleResult {
    int acks = 0;
    int durableAcks = 0;
    int lost = 0;  // operations started but not recovered (none of them durable-acknowledged)
};

// Runs the child and collects its messages until it is killed.
std::vector<Msg> runAndKill(const std::string& path, const Model& model,
                            const CycleConfig& config) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        runChild(path, model, config, fds[1]);
    }
    close(fds[1]);
    std::vector<Msg> msgs;
    int acks = 0;
    bool killed = false;
    if (config.killAfterAcks == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(config.extraDelayUs * 10));
        kill(pid, SIGKILL);
        killed = true;
    }
    Msg msg;
    while (read(fds[0], &msg, sizeof(msg)) == sizeof(msg)) {
        msgs.push_back(msg);
        if (msg.kind == Msg::kAck) ++acks;
        if (!killed && acks >= config.killAfterAcks) {
            std::this_thread::sleep_for(std::chrono::microseconds(config.extraDelayUs));
            kill(pid, SIGKILL);
            killed = true;
        }
    }
    close(fds[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "writer died on its own, exit status " << WEXITSTATUS(wstatus);
    return msgs;
}

// Kills a writer, reopens, and checks the recovered state is a prefix of its operations
// that includes every durable acknowledgement. Updates `model` to the recovered state.
CycleResult runCycle(const std::string& path, Model& model, const CycleConfig& config) {
    std::vector<Msg> msgs = runAndKill(path, model, config);
    std::vector<Msg> ops;  // in order
    size_t mustHave = 0;   // every op before this index was acknowledged durable
    CycleResult result;
    for (const Msg& m : msgs) {
        if (m.kind == Msg::kIntent) {
            ops.push_back(m);
            continue;
        }
        ++result.acks;
        if (m.durable || m.op == 'k') {
            mustHave = ops.size();
            result.durableAcks += m.durable ? 1 : 0;
        }
    }
    auto engine = test::openEngine(path);
    EXPECT_TRUE(engine);
    if (!engine) return result;
    Model actual = readState(*engine);

    Model prefix = model;
    for (size_t i = 0; i < mustHave; ++i) applyToModel(prefix, ops[i]);
    size_t length = mustHave;
    bool matched = actual == prefix;
    // The longest matching prefix: an operation that changes nothing matches either way.
    for (size_t i = mustHave; i < ops.size(); ++i) {
        applyToModel(prefix, ops[i]);
        if (actual == prefix) {
            matched = true;
            length = i + 1;
        }
    }
    result.lost = int(ops.size() - length);
    EXPECT_TRUE(matched) << "recovered " << describe(actual) << " is not a prefix of the "
                         << ops.size() << " operations including the first " << mustHave
                         << "; seed " << config.seed;
    model = actual;
    return result;
}

uint64_t testSeed() {
    if (const char* env = std::getenv("MONGOSD_TEST_SEED")) return std::strtoull(env, nullptr, 10);
    return std::random_device{}();
}

void runCycles(int cycles, int durablePercent) {
    const uint64_t seed = testSeed();
    SCOPED_TRACE("MONGOSD_TEST_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);
    TempDir dir;
    Model model;
    int acks = 0, durableAcks = 0, lost = 0;
    for (int cycle = 0; cycle < cycles && !::testing::Test::HasFailure(); ++cycle) {
        CycleConfig config;
        config.seed = rng();
        config.killAfterAcks = cycle % 4 == 3 ? 0 : int(rng() % 150) + 1;
        config.extraDelayUs = int(rng() % 3000);
        config.durablePercent = durablePercent;
        // Some cycles checkpoint in the background while writing, the rest explicitly.
        // (Cycle 0 does not, so the first crash may come before any checkpoint.)
        if (cycle % 3 == 1) config.checkpointInterval = std::chrono::milliseconds(30);
        // And some truncate the oplog down to what recovery still needs.
        if (cycle % 2 == 1) config.oplogMaxBytes = 20000;
        CycleResult r = runCycle(dir.path(), model, config);
        acks += r.acks;
        durableAcks += r.durableAcks;
        lost += r.lost;
    }
    EXPECT_GT(acks, 100);
    std::printf("%d cycles: %d acknowledged writes, %d of them durable; %d writes lost\n", cycles,
                acks, durableAcks, lost);
}

TEST(StorageRecovery, DurableWritesSurviveSigkill) { runCycles(12, 100); }

TEST(StorageRecovery, NonDurableWritesRecoverAsAPrefix) { runCycles(8, 10); }

}  // namespace
}  // namespace mongosd::storage

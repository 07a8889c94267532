#include "shard/ttl_monitor.h"

#include <spdlog/spdlog.h>

#include "shard/commands/command.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"
#include "shard/write_ops.h"

namespace mongosd::shard {
namespace {

int64_t nowMillis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// {field: {$lt: Date(cutoffMs)}}
BsonObj expiredFilter(std::string_view field, int64_t cutoffMs) {
    BsonBuilder b;
    b.appendDocument(field, [&](BsonBuilder& op) {
        bson_append_date_time(op.get(), "$lt", 3, cutoffMs);
    });
    return b.obj();
}

}  // namespace

TtlMonitor::TtlMonitor(ShardService& service, std::chrono::milliseconds interval)
    : _service(service), _interval(interval) {}

TtlMonitor::~TtlMonitor() { stop(); }

void TtlMonitor::start() {
    std::lock_guard lk(_mutex);
    if (_thread.joinable()) return;
    _stopping = false;
    _thread = std::thread([this] { loop(); });
}

void TtlMonitor::stop() {
    {
        std::lock_guard lk(_mutex);
        _stopping = true;
    }
    _wake.notify_all();
    if (_thread.joinable()) _thread.join();
}

void TtlMonitor::loop() {
    std::unique_lock lk(_mutex);
    while (!_stopping) {
        _wake.wait_for(lk, _interval, [&] { return _stopping; });
        if (_stopping) break;
        lk.unlock();
        auto deleted = runPass();
        if (!deleted.isOK()) {
            spdlog::warn("ttl: pass failed: {}", deleted.getStatus().toString());
        } else if (deleted.getValue() > 0) {
            spdlog::info("ttl: deleted {} expired documents", deleted.getValue());
        }
        lk.lock();
    }
}

StatusWith<int64_t> TtlMonitor::runPass() {
    storage::StorageEngine& engine = _service.engine();
    int64_t total = 0;
    for (const auto& db : engine.listDatabases()) {
        for (const auto& coll : engine.listCollections(db.name)) {
            auto specs = engine.listIndexes(coll.ns);
            if (!specs.isOK()) continue;  // dropped meanwhile
            for (const auto& spec : specs.getValue()) {
                bson_iter_t expire, key, name, field;
                if (!spec.view().find("expireAfterSeconds", &expire)) continue;
                if (!spec.view().find("key", &key) || !spec.view().find("name", &name) ||
                    !bson_iter_recurse(&key, &field) || !bson_iter_next(&field)) {
                    continue;
                }
                const int64_t cutoff = nowMillis() - bson_iter_as_int64(&expire) * 1000;
                BsonObj filter = expiredFilter(bson_iter_key(&field), cutoff);
                OperationContext opCtx{_service, db.name, "ttl-monitor"};
                DeleteOutcome out;
                Status st = deleteDocuments(opCtx, coll.ns, filter.view(), BsonView(),
                                            /*multi=*/true, &out);
                if (!st.isOK() && st != ErrorCodes::NamespaceNotFound) return st;
                total += out.deleted;
                _deleted.fetch_add(uint64_t(out.deleted));
            }
        }
    }
    _passes.fetch_add(1);
    return total;
}

}  // namespace mongosd::shard

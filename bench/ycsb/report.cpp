#include "bench/ycsb/report.h"

#include <fmt/format.h>

namespace mongosd::ycsb {
namespace {

double micros(uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

void appendHistogramLines(std::string& out, std::string_view name, const Histogram& h) {
    fmt::format_to(std::back_inserter(out), "[{}], Operations, {}\n", name, h.count());
    fmt::format_to(std::back_inserter(out), "[{}], AverageLatency(us), {:.3f}\n", name,
                   h.mean() / 1000.0);
    fmt::format_to(std::back_inserter(out), "[{}], MinLatency(us), {:.0f}\n", name,
                   micros(h.min()));
    fmt::format_to(std::back_inserter(out), "[{}], MaxLatency(us), {:.0f}\n", name,
                   micros(h.max()));
    for (int p : {50, 95, 99})
        fmt::format_to(std::back_inserter(out), "[{}], {}thPercentileLatency(us), {:.0f}\n", name,
                       p, micros(h.percentile(p)));
}

void appendHistogramJson(std::string& out, const Histogram& h) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"operations\":{},\"averageUs\":{:.3f},\"minUs\":{:.3f},\"maxUs\":{:.3f},"
                   "\"p50Us\":{:.3f},\"p95Us\":{:.3f},\"p99Us\":{:.3f}}}",
                   h.count(), h.mean() / 1000.0, micros(h.min()), micros(h.max()),
                   micros(h.percentile(50)), micros(h.percentile(95)), micros(h.percentile(99)));
}

// Names are ours (workload letters, db kinds, operation names): no escaping needed, but a
// quote or backslash from a file name must not break the object.
std::string jsonString(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

std::string formatSummary(const RunResult& r) {
    std::string out;
    fmt::format_to(std::back_inserter(out), "[OVERALL], RunTime(ms), {:.0f}\n", r.runtimeMs);
    fmt::format_to(std::back_inserter(out), "[OVERALL], Throughput(ops/sec), {:.2f}\n",
                   r.throughput());
    fmt::format_to(std::back_inserter(out), "[OVERALL], Operations, {}\n", r.operations);
    fmt::format_to(std::back_inserter(out), "[OVERALL], Errors, {}\n", r.errors);
    for (int k = 0; k < kOperationKinds; ++k) {
        auto op = static_cast<Operation>(k);
        const OperationStats& s = r.stats(op);
        if (s.operations() == 0) continue;
        std::string name(operationName(op));
        appendHistogramLines(out, name, s.latency);
        for (const auto& [code, n] : s.returns)
            fmt::format_to(std::back_inserter(out), "[{}], Return={}, {}\n", name, code, n);
        if (s.failedLatency.count()) appendHistogramLines(out, name + "-FAILED", s.failedLatency);
        if (r.openLoop) appendHistogramLines(out, "INTENDED-" + name, s.intendedLatency);
    }
    return out;
}

std::string formatJson(const RunDescription& d, const RunResult& r) {
    std::string out;
    fmt::format_to(std::back_inserter(out),
                   "{{\"phase\":{},\"db\":{},\"workload\":{},\"durability\":{},\"threads\":{},"
                   "\"target\":{},\"seed\":{},\"runtimeMs\":{:.3f},\"operations\":{},"
                   "\"errors\":{},\"throughput\":{:.3f},\"operationsByType\":{{",
                   jsonString(d.phase), jsonString(d.db), jsonString(d.workload),
                   jsonString(d.durability), d.threads, d.target, d.seed, r.runtimeMs, r.operations,
                   r.errors, r.throughput());
    bool first = true;
    for (int k = 0; k < kOperationKinds; ++k) {
        auto op = static_cast<Operation>(k);
        const OperationStats& s = r.stats(op);
        if (s.operations() == 0) continue;
        if (!first) out.push_back(',');
        first = false;
        out += jsonString(operationName(op)) + ":{\"latency\":";
        appendHistogramJson(out, s.latency);
        out += ",\"failedLatency\":";
        appendHistogramJson(out, s.failedLatency);
        if (r.openLoop) {
            out += ",\"intendedLatency\":";
            appendHistogramJson(out, s.intendedLatency);
        }
        out += ",\"returns\":{";
        bool firstCode = true;
        for (const auto& [code, n] : s.returns) {
            if (!firstCode) out.push_back(',');
            firstCode = false;
            out += jsonString(code) + ":" + std::to_string(n);
        }
        out += "}}";
    }
    out += "},\"errorSamples\":[";
    for (size_t i = 0; i < r.errorSamples.size(); ++i)
        out += (i ? "," : "") + jsonString(r.errorSamples[i]);
    out += "]}\n";
    return out;
}

}  // namespace mongosd::ycsb

#include "shard/repl/messages.h"

namespace mongosd::repl {

const char* messageName(const MessageBody& body) {
    static constexpr const char* kNames[] = {"AppendEntries", "AppendResponse", "RequestVote",
                                             "VoteResponse",  "StartElection",  "FetchRequest",
                                             "FetchResponse"};
    static_assert(std::variant_size_v<MessageBody> == std::size(kNames));
    return kNames[body.index()];
}

}  // namespace mongosd::repl

package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.scope.ScopeSpec;
import io.procsys.scope.ScopeState;

import java.util.ArrayList;
import java.util.List;

/** The bodies of Scope and ScopeReply (protocol 8), bounded as every frame: a count, then strings. */
final class ScopeCodec {
    private ScopeCodec() {}

    static void writeScope(ByteBuf buf, List<String> specs) {
        writeStrings(buf, specs);
    }

    static List<String> readScope(ByteBuf in) {
        List<String> specs = readStrings(in, ScopeSpec.MAX_SPECS);
        if (specs.isEmpty()) throw new CorruptedFrameException("a scope of no spec");
        return specs;
    }

    static void writeState(ByteBuf buf, ScopeState state) {
        buf.writeByte(state.outcome().ordinal());
        MessageCodec.writeString(buf, state.layout());
        writeStrings(buf, state.paths());
        buf.writeInt(state.members());
        MessageCodec.writeString(buf, state.detail());
    }

    static ScopeState readState(ByteBuf in) {
        MessageCodec.need(in, 1);
        int outcome = in.readUnsignedByte();
        if (outcome >= ScopeState.Outcome.values().length) throw new CorruptedFrameException("scope outcome " + outcome);
        String layout = MessageCodec.readString(in);
        List<String> paths = readStrings(in, ScopeState.MAX_PATHS);
        int members = MessageCodec.readInt(in);
        if (members < 0) throw new CorruptedFrameException("a scope of " + members + " processes");
        return new ScopeState(ScopeState.Outcome.values()[outcome], layout, paths, members, MessageCodec.readString(in));
    }

    private static void writeStrings(ByteBuf buf, List<String> strings) {
        buf.writeShort(strings.size());
        for (String s : strings) MessageCodec.writeString(buf, s);
    }

    private static List<String> readStrings(ByteBuf in, int most) {
        int count = MessageCodec.readShort(in);
        if (count > most) throw new CorruptedFrameException(count + " strings, at most " + most);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(MessageCodec.readString(in));
        return out;
    }
}

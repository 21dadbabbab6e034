package dev.litestack.todo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The budget for answers clients have not read, on Netty's embedded channels: a write that is not flushed stays
 * unsent, as an answer to a client that does not read stays in Netty's buffers.
 */
class UnsentResponsesTest {

    private static final int KIB = 1 << 10;

    @Test
    void theConnectionThatLeftItsAnswerUnreadTheLongestIsClosedWhenTheSumPassesTheLimit() {
        UnsentResponses budget = new UnsentResponses(1024 * KIB, Clock.systemUTC());
        EmbeddedChannel slow = new EmbeddedChannel(budget.newHandler());
        EmbeddedChannel fast = new EmbeddedChannel(budget.newHandler());
        slow.write(Unpooled.wrappedBuffer(new byte[600 * KIB]));
        assertEquals(600 * KIB, budget.unsentBytes(), "the slow client's answer is held");
        fast.writeAndFlush(Unpooled.wrappedBuffer(new byte[300 * KIB]));
        assertEquals(600 * KIB, budget.unsentBytes(), "an answer that went out is not");
        assertTrue(slow.isOpen());
        // a bigger answer, unsent for a moment, takes the sum past the limit
        fast.write(Unpooled.wrappedBuffer(new byte[700 * KIB]));
        slow.runPendingTasks();
        assertFalse(slow.isOpen(), "the connection that has left bytes unread the longest is closed");
        assertTrue(fast.isOpen(), "not the one whose answer is merely on its way");
        assertEquals(700 * KIB, budget.unsentBytes(), "the closed connection's bytes are released");
        fast.flush();
        assertEquals(0, budget.unsentBytes());
        fast.finishAndReleaseAll();
        slow.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatKeepsUpIsNeverTheOneClosed() {
        UnsentResponses budget = new UnsentResponses(1024 * KIB, Clock.systemUTC());
        EmbeddedChannel keepingUp = new EmbeddedChannel(budget.newHandler());
        EmbeddedChannel behind = new EmbeddedChannel(budget.newHandler());
        keepingUp.write(Unpooled.wrappedBuffer(new byte[32 * KIB])); // below Netty's high-water mark: writable
        assertTrue(keepingUp.isWritable());
        behind.write(Unpooled.wrappedBuffer(new byte[1100 * KIB]));
        behind.runPendingTasks();
        assertTrue(keepingUp.isOpen(), "waiting longer, but not over the high-water mark");
        assertFalse(behind.isOpen());
        assertEquals(32 * KIB, budget.unsentBytes());
        keepingUp.finishAndReleaseAll();
        behind.finishAndReleaseAll();
    }

    @Test
    void underTheLimitNothingIsClosed() {
        UnsentResponses budget = new UnsentResponses(1024 * KIB, Clock.systemUTC());
        EmbeddedChannel a = new EmbeddedChannel(budget.newHandler());
        EmbeddedChannel b = new EmbeddedChannel(budget.newHandler());
        a.write(Unpooled.wrappedBuffer(new byte[500 * KIB]));
        b.write(Unpooled.wrappedBuffer(new byte[500 * KIB]));
        assertTrue(a.isOpen() && b.isOpen());
        assertEquals(1000 * KIB, budget.unsentBytes());
        a.close();
        assertEquals(500 * KIB, budget.unsentBytes(), "a closed connection's unsent bytes are released");
        b.finishAndReleaseAll();
        a.finishAndReleaseAll();
        assertEquals(0, budget.unsentBytes());
    }
}

package org.budayang.core.notify.internal.shell;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.OutboxEntry;

@Command(scope = "budayang", name = "outbox", description = "Lists the newest text messages with their delivery state "
        + "(numbers masked; the text is shown, as to an admin in the outbox viewer)")
@Service
public class OutboxCommand implements Action {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Reference
    Outbox outbox;

    @Option(name = "--limit", aliases = "-n", description = "How many messages (newest first, at most 500)")
    int limit = 20;

    @Override
    public Object execute() {
        if (limit < 1 || limit > 500) {
            System.out.println("--limit must be between 1 and 500");
            return null;
        }
        ShellTable table = new ShellTable();
        for (String c : new String[] { "Id", "Phone", "Topic", "State", "Attempts", "Created", "Next", "Sent", "Gateway id",
                "Last error", "Text" }) {
            table.column(c);
        }
        for (OutboxEntry e : outbox.recent(limit)) {
            table.addRow().addContent(e.id(), e.sms().maskedPhone(), e.sms().topic() == null ? "" : e.sms().topic(),
                    e.state(), e.attempts(), time(e.created()), time(e.nextAttempt()), time(e.sent()),
                    e.gatewayId() == null ? "" : e.gatewayId(), e.lastError() == null ? "" : e.lastError(),
                    e.sms().text().replace('\n', ' '));
        }
        table.print(System.out);
        return null;
    }

    private static String time(Instant i) {
        return i == null ? "" : TIME.format(i);
    }
}

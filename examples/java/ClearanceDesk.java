import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hsclass.ClassifyOptions;
import org.hsclass.Decision;
import org.hsclass.HsclassException;
import org.hsclass.Model;
import org.hsclass.NationalLine;
import org.hsclass.Suggestion;

/**
 * A clearance desk's view of a batch of declarations: for each row of a CSV
 * file (header row first; the first column identifies the declaration, the
 * column "description" holds the goods description), the decision with its
 * reason, the suggested HS codes with their French descriptions, and the
 * national tariff lines (TEC CEDEAO) under each code.
 *
 *   java -cp hsclass.jar:clearance-desk.jar:/usr/share/java/jna.jar \
 *        ClearanceDesk declarations.csv [model.hscm]
 *
 * Without a model file the default model is used. Exit status: 0 done, 1
 * some rows were rejected (reported on stderr), 2 usage or unreadable input.
 */
public final class ClearanceDesk {
    private static final Locale FR = Locale.FRENCH;
    private static final int SUGGESTIONS = 3;

    private ClearanceDesk() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ClearanceDesk declarations.csv [model.hscm]");
            System.exit(2);
        }
        List<List<String>> rows;
        try {
            rows = readCsv(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.err.println("ClearanceDesk: " + args[0] + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        int column = rows.isEmpty() ? -1 : rows.get(0).indexOf("description");
        if (column < 0) {
            System.err.println("ClearanceDesk: " + args[0] + ": no \"description\" column");
            System.exit(2);
        }
        int failed = 0;
        try (Model model = args.length == 2 ? Model.load(Path.of(args[1])) : Model.loadDefault()) {
            ClassifyOptions french = ClassifyOptions.DEFAULT.lang("fr");
            for (List<String> row : rows.subList(1, rows.size())) {
                String id = row.get(0);
                String text = column < row.size() ? row.get(column) : "";
                try {
                    print(model, id, text, model.decide(text, SUGGESTIONS, french));
                } catch (HsclassException e) {
                    System.err.println(id + ": " + e.statusName() + ": " + e.detail());
                    failed++;
                }
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void print(Model model, String id, String text, Decision d) {
        System.out.printf("%s  « %s »%n", id, text);
        System.out.printf(FR, "  %s (seuil %.2f)%n", d.text(FR), d.threshold());
        int rank = 1;
        for (Suggestion s : d.suggestions()) {
            System.out.printf(FR, "  %d. %s  %5.1f %%  %s%n", rank++, s.code(),
                    100 * s.probability(), s.description() == null ? "" : s.description());
            for (NationalLine line : model.nationalLines(s.code())) {
                System.out.printf("       %s %s  %s%n", line.scheme(), line.code(),
                        line.description());
            }
        }
        System.out.println();
    }

    /** RFC 4180 rows: commas, quoted fields with "" for a quote, CRLF or LF. */
    static List<List<String>> readCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}

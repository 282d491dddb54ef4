package org.hsclass;

/** Run in a fresh JVM by LoaderTest: loads the library and prints the outcome. */
public final class LoaderProbe {
    private LoaderProbe() {}

    public static void main(String[] args) {
        try {
            System.out.println("loaded " + HsCode.parse("0201.30"));
        } catch (Throwable e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.out.println("failed " + cause.getClass().getName() + ": " + cause.getMessage());
        }
    }
}

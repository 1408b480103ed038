package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryNamesTest {

    @Test
    void foldsNamesWithNumbersAndMktempNames() {
        assertEquals("#sql-*_*", DirectoryNames.fold("#sql-1a2b_3"));
        assertEquals("tmp.*", DirectoryNames.fold("tmp.AbCdEfGhIj"));
        assertEquals("tmp.*", DirectoryNames.fold("tmp.x8Kq2mZ0pL"));
        assertEquals("pod-*", DirectoryNames.fold("pod-7f9c2"));
        assertEquals("*", DirectoryNames.fold("12345"));
        assertEquals("mysql", DirectoryNames.fold("mysql"));
        assertEquals("site-packages", DirectoryNames.fold("site-packages"));
        assertEquals("python3.*", DirectoryNames.fold("python3.11"));
        assertEquals("v2", DirectoryNames.fold("v2"));
        assertEquals("ext4", DirectoryNames.fold("ext4"));
    }

    @Test
    void labelsAWholePathOrItsLastComponents() {
        assertEquals("ext4:/tmp", DirectoryNames.label("ext4", List.of("tmp", "/"), true, true));
        assertEquals("ext4:/", DirectoryNames.label("ext4", List.of("/"), true, true));
        assertEquals("xfs:.../lib/mysql/#sql-*_*",
                DirectoryNames.label("xfs", List.of("#sql-1a2b_3", "mysql", "lib"), false, true));
        assertEquals("xfs:.../lib/mysql/#sql-1a2b_3",
                DirectoryNames.label("xfs", List.of("#sql-1a2b_3", "mysql", "lib"), false, false));
    }
}

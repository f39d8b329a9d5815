package org.medsynth.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MakePhantomsCommandTest {

    @TempDir
    Path tmp;

    @Test
    void withoutOutputFolderShowsTheFirstFundusCase() {
        MakePhantomsCommand c = new MakePhantomsCommand();
        c.kind = "fundus";
        c.size = 96;
        c.seed = 4;
        c.run();
        assertEquals(96, c.image.getWidth());
        assertEquals(96, c.labels.getWidth());
        assertEquals(96, c.mask.getWidth());
        assertEquals("fundus-phantom-4", c.image.getTitle());
        assertNull(c.summary);
    }

    @Test
    void withoutOutputFolderShowsTheFirstLiverCase() {
        MakePhantomsCommand c = new MakePhantomsCommand();
        c.kind = "liver";
        c.width = 40;
        c.height = 36;
        c.depth = 5;
        c.run();
        assertEquals(5, c.image.getStackSize());
        assertEquals(36, c.labels.getHeight());
        assertNull(c.mask);
    }

    @Test
    void withOutputFolderWritesTheDataSetAndListsIt() {
        MakePhantomsCommand c = new MakePhantomsCommand();
        c.kind = "liver";
        c.count = 2;
        c.width = 32;
        c.height = 32;
        c.depth = 4;
        c.output = tmp.resolve("set").toFile();
        c.run();
        assertEquals(2, c.summary.size());
        assertEquals("case002", c.summary.getStringValue("case", 1));
        assertTrue(Files.isRegularFile(tmp.resolve("set/labels/case002.tif")));
        assertNull(c.image);
    }

    @Test
    void unknownKindIsAUserError() {
        MakePhantomsCommand c = new MakePhantomsCommand();
        c.kind = "brain";
        UserInputException e = assertThrows(UserInputException.class, c::run);
        assertTrue(e.getMessage().contains("fundus or liver"), e.getMessage());
    }
}

-- Chat attachments' bytes, shared by every node of the database.
CREATE TABLE blobs (
    account text NOT NULL,
    key     text NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (account, key)
);

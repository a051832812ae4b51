-- AlterTable
ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL;
